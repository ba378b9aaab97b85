"""A throwaway Postgres database per test run: never reuse one by chance."""

from __future__ import annotations

import os
import uuid
from contextlib import closing
from pathlib import Path

import psycopg2
from alembic import command
from alembic.config import Config
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
ADMIN_DSN = os.environ.get("TEST_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_connection() -> psycopg2.extensions.connection:
    connection = psycopg2.connect(ADMIN_DSN, connect_timeout=5)
    connection.autocommit = True
    return connection


def create_database(prefix: str = "mdc_test") -> str:
    """Create an empty database with a unique name; returns its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with closing(_admin_connection()) as connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg2://', 1)}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with closing(_admin_connection()) as connection, connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
