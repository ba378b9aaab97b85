"""Migrations on an empty database of their own: up, down, up, and in step with the models."""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from mdcreator.models import metadata
from tests.support.database import alembic_config, create_database, drop_database


@pytest.fixture
def empty_database() -> Iterator[str]:
    url = create_database("mdc_migrations")
    yield url
    drop_database(url)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    assert {"users", "alembic_version"} <= _tables(empty_database)
    command.downgrade(config, "base")
    assert _tables(empty_database) == {"alembic_version"}
    command.upgrade(config, "head")
    assert "users" in _tables(empty_database)


def test_models_match_the_migrated_schema(empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "head")
    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_email_uniqueness_ignores_letter_case(empty_database: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    command.upgrade(alembic_config(empty_database), "head")
    engine = create_engine(empty_database)
    insert = text(
        "INSERT INTO users (id, email, password_hash) VALUES (gen_random_uuid(), :email, 'x')"
    )
    try:
        with engine.begin() as connection:
            connection.execute(insert, {"email": "ada@example.com"})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert, {"email": "ADA@example.com"})
    finally:
        engine.dispose()


def test_migrate_function_upgrades_then_is_idempotent(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migrations.handler import handler
    from tests.support.clients import reset_clients

    monkeypatch.setenv("DATABASE_URL", empty_database)
    reset_clients()
    try:
        first = handler({}, None)
        second = handler({}, None)
    finally:
        monkeypatch.undo()
        reset_clients()
    head = ScriptDirectory.from_config(alembic_config(empty_database)).get_current_head()
    assert first == {"previous_revision": None, "revision": head, "changed": True}
    assert second == {"previous_revision": head, "revision": head, "changed": False}
    assert "users" in _tables(empty_database)


def test_the_attachments_migration_goes_down_and_up_again(
    empty_database: str,
) -> None:
    from sqlalchemy import text

    config = alembic_config(empty_database)
    command.upgrade(config, "0006_attachments")
    assert "attachments" in _tables(empty_database)
    command.downgrade(config, "0005")
    assert "attachments" not in _tables(empty_database)
    assert {"workspaces", "memberships", "invitations"} <= _tables(empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            left = connection.scalar(
                text("SELECT count(*) FROM pg_proc WHERE proname = 'mdc_discard_attachments'")
            )
    finally:
        engine.dispose()
    assert left == 0
    command.upgrade(config, "head")
    assert "attachments" in _tables(empty_database)
