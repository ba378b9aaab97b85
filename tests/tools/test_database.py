"""tools.database: pending migrations decided without Alembic; the tests' own database role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing
from urllib.parse import urlsplit

import psycopg2
import pytest
from alembic.script import ScriptDirectory

from tools.database import (
    alembic_config,
    connect,
    create_database,
    drop_database,
    migrate,
    migration_pending,
    script_heads,
    url_for_tests,
)


@pytest.fixture
def empty_database() -> Iterator[str]:
    url = create_database("mdc_tools")
    yield url
    drop_database(url)


def test_script_heads_are_alembics_heads(empty_database: str) -> None:
    expected = set(ScriptDirectory.from_config(alembic_config(empty_database)).get_heads())
    assert script_heads() == expected


def test_a_migration_is_pending_until_upgraded_to_head(empty_database: str) -> None:
    assert migration_pending(empty_database)
    migrate(empty_database, "0001")
    assert migration_pending(empty_database)
    migrate(empty_database)
    assert not migration_pending(empty_database)


def test_the_ci_database_role_is_ordinary_and_needs_its_password() -> None:
    # CI runs the whole suite against a role like compose's or a managed database's.
    if os.environ.get("CI_TEST_DATABASE_RESTRICTED") != "1":
        pytest.skip("CI_TEST_DATABASE_RESTRICTED=1 is set by .ci/run, which makes such a role")
    url = url_for_tests()
    with closing(connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, True)
    parts = urlsplit(url)
    assert parts.password
    without_password = url.replace(f":{parts.password}@", "@", 1)
    with pytest.raises(psycopg2.OperationalError, match="password"):
        connect(without_password).close()
