"""Unit tests start no server: their settings name a closed port for Postgres, Redis and SMTP
(tests/support/settings.py), and a test here that asks for a server fixture is refused; such
a test belongs in tests/services or tests/functions."""

from __future__ import annotations

import pytest

SERVER_FIXTURES = frozenset({"database_url", "redis_prefix", "mail_server", "app_env"})


def pytest_runtest_setup(item: pytest.Item) -> None:
    asked = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
    if asked:
        pytest.fail(f"a unit test asks for servers ({', '.join(sorted(asked))})", pytrace=False)
