"""The tests' names for tools.database (throwaway databases, migrations)."""

from tools.database import alembic_config, create_database, drop_database, migrate

__all__ = ["alembic_config", "create_database", "drop_database", "migrate"]
