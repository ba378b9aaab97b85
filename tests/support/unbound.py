"""The database as the tables' owner with row-level security lifted, for tests that move a
row's clock or count rows the functions cannot see.

The tests' role owns the tables and FORCE ROW LEVEL SECURITY binds it, as it binds the
functions; no superuser is at hand in CI. So each transaction here turns FORCE off on every
table that has it and on again before it ends: ALTER TABLE holds its lock until then, so no
other connection ever sees FORCE off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, text

FORCED = text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relforcerowsecurity AND n.nspname = current_schema()"
)


def _set_force(connection: Connection, tables: list[str], force: bool) -> None:
    verb = "FORCE" if force else "NO FORCE"
    for table in tables:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" {verb} ROW LEVEL SECURITY')


class Unbound:
    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction that commits what it changes (FORCE restored first)."""
        with self.engine.begin() as connection:
            tables = list(connection.scalars(FORCED))
            _set_force(connection, tables, False)
            yield connection
            _set_force(connection, tables, True)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A transaction for reading, rolled back at the end (FORCE with it)."""
        with self.engine.connect() as connection:
            _set_force(connection, list(connection.scalars(FORCED)), False)
            try:
                yield connection
            finally:
                connection.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


def age(unbound: Unbound, table: str, column: str, days: int, ids: list[str]) -> None:
    """Move the rows' `column` back by `days`: now() cannot move forward."""
    with unbound.begin() as connection:
        connection.execute(
            text(
                f"UPDATE {table} SET {column} = {column} - make_interval(days => :d) "
                "WHERE id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"d": days, "ids": ids},
        )
