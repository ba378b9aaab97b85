"""Postgres for the local loop: throwaway databases, migrations, and whether one is pending.

Tests create a database per run next to `TEST_DATABASE_URL`, with its credentials: the role
there needs CREATEDB, nothing more (no superuser, any authentication). The default is the
compose role and database (docker-compose.yml; `make dev-db` makes them on a local server).
"""

from __future__ import annotations

import ast
import os
import uuid
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg2.extensions
    from alembic.config import Config

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "migrations" / "versions"
DEFAULT_TEST_DATABASE_URL = "postgresql://mdcreator:mdcreator@127.0.0.1:5432/mdcreator_dev"
CONNECT_TIMEOUT_S = 5


def url_for_tests() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL


def libpq_url(url: str) -> str:
    """The URL psycopg2 takes (SQLAlchemy's `postgresql+psycopg2://` scheme dropped)."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


def sqlalchemy_url(url: str) -> str:
    return libpq_url(url).replace("postgresql://", "postgresql+psycopg2://", 1)


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def connect(url: str, timeout: float = CONNECT_TIMEOUT_S) -> psycopg2.extensions.connection:
    import psycopg2

    connection = psycopg2.connect(libpq_url(url), connect_timeout=max(1, round(timeout)))
    connection.autocommit = True
    return connection


def create_database(prefix: str = "mdc_test", base_url: str | None = None) -> str:
    """Create an empty database with a unique name; returns its SQLAlchemy URL."""
    from psycopg2 import sql

    base = base_url or url_for_tests()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with closing(connect(base)) as connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return sqlalchemy_url(with_database(base, name))


def drop_database(url: str, base_url: str | None = None) -> None:
    from psycopg2 import sql

    name = database_name(url)
    with closing(connect(base_url or url_for_tests())) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = sqlalchemy_url(url)
    config.attributes["configure_logger"] = False
    return config


def migrate(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def script_heads(versions: Path = VERSIONS) -> set[str]:
    """The head revisions of the migration scripts, read without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        found = _assignments(script, {"revision", "down_revision"})
        revisions.update(_revision_ids(found.get("revision")))
        parents.update(_revision_ids(found.get("down_revision")))
    return revisions - parents


def _revision_ids(value: object) -> list[str]:
    """`"abc"`, `None` or a tuple of ids (a merge), as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [item for item in value if isinstance(item, str)]
    return []


def _assignments(script: Path, names: set[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for node in ast.parse(script.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            values[target.id] = ast.literal_eval(value)
    return values


def applied_revisions(connection: psycopg2.extensions.connection) -> set[str]:
    """What alembic_version holds (nothing on a database never migrated)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
        row = cursor.fetchone()
        if not row or not row[0]:
            return set()
        cursor.execute("SELECT version_num FROM alembic_version")
        return {version for (version,) in cursor.fetchall()}


def migration_pending(url: str) -> bool:
    with closing(connect(url)) as connection:
        return applied_revisions(connection) != script_heads()
