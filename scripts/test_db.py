"""Check that Postgres answers at the settings' DATABASE_URL, with one line saying so or why not."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg2

sys.path.append(str(Path(__file__).resolve().parent.parent / "layers" / "common"))
from mdcreator.core.config import Settings  # noqa: E402


def main() -> int:
    url = Settings().database_url.replace("+psycopg2", "")
    try:
        with psycopg2.connect(url, connect_timeout=3) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            (version,) = cursor.fetchone() or ("?",)
    except psycopg2.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"❌ PostgreSQL connection failed: {first_line}", file=sys.stderr)
        print(
            "   Start it with `docker compose up -d --wait` or set DATABASE_URL.", file=sys.stderr
        )
        return 1
    print("✅ PostgreSQL connection successful!")
    print(f"   {version.split(',')[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
