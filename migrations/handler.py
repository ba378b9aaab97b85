"""MigrateFunction: `alembic upgrade head` inside Lambda, after each deploy.

    sam remote invoke MigrateFunction --stack-name mdcreator-api

Idempotent: at head it changes nothing. Answers the revision before and after.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

from mdcreator.core.config import get_settings

HERE = Path(__file__).resolve().parent


def _current_revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def handler(_event: dict[str, Any] | None = None, _context: object = None) -> dict[str, Any]:
    url = get_settings().database_url
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["database_url"] = url
    before = _current_revision(url)
    command.upgrade(config, "head")
    after = _current_revision(url)
    return {"previous_revision": before, "revision": after, "changed": before != after}
