"""A login holds no Postgres transaction open while bcrypt and Redis work.

Under RDS Proxy a connection inside a transaction stays pinned to its client; a login would
pin one for the whole password check. Postgres itself is asked (pg_stat_activity, from a
connection of the test's own) at the moment bcrypt and every Redis command start: the real
bcrypt and the real Redis client run, each wrapped only to take that look first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import bcrypt
import psycopg2
import pytest
from redis import Redis
from sqlalchemy import make_url

from tests.support.handlers import PASSWORD, client_ip, login, signup

# States of every other backend of the test database, as Postgres reports them.
_STATES = """
SELECT state FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""


class _Found(list[str]):
    checks: dict[str, int]


@pytest.fixture
def watch(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Found]:
    """Each time bcrypt or a Redis command begins, the transactions Postgres sees open."""
    url = make_url(database_url).set(drivername="postgresql")
    watcher = psycopg2.connect(url.render_as_string(hide_password=False))
    watcher.autocommit = True
    found = _Found()
    found.checks = {"bcrypt": 0, "redis": 0}

    def watched[**P, R](what: str, call: Callable[P, R]) -> Callable[P, R]:
        def look_then_call(*args: P.args, **kwargs: P.kwargs) -> R:
            found.checks[what] += 1
            with watcher.cursor() as cursor:
                cursor.execute(_STATES)
                found.extend(f"{what}: {state}" for (state,) in cursor if "transaction" in state)
            return call(*args, **kwargs)

        return look_then_call

    monkeypatch.setattr(bcrypt, "checkpw", watched("bcrypt", bcrypt.checkpw))
    monkeypatch.setattr(Redis, "execute_command", watched("redis", Redis.execute_command))
    yield found
    watcher.close()


@pytest.mark.parametrize(
    ("who", "password", "status"),
    [("owner", PASSWORD, 200), ("owner", "wrong-password-123", 401), ("nobody", PASSWORD, 401)],
)
def test_no_transaction_is_open_during_the_password_check_or_redis(
    email: str, watch: _Found, who: str, password: str, status: int
) -> None:
    signup(email)
    watch.checks.update(bcrypt=0, redis=0)
    answer = login(email if who == "owner" else f"nobody-{email}", password, ip=client_ip())
    assert answer.status == status
    assert watch.checks["bcrypt"] >= 1 and watch.checks["redis"] >= 2
    assert watch == []
