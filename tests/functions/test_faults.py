"""Postgres or Redis stopped under a warm function: fail closed, lose nothing, recover alone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, func, select

from tests.support.clients import reset_clients
from tests.support.database import migrate
from tests.support.handlers import bearer, login, me, refresh, signup
from tests.support.lambda_events import http_event, invoke, load_event
from tests.support.proxy import FreezableProxy
from tests.support.servers import PostgresServer, RedisServer

UNAVAILABLE = {"detail": "Service temporarily unavailable"}


@dataclass
class Stack:
    postgres: PostgresServer
    redis: RedisServer


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    postgres, redis = PostgresServer(), RedisServer()
    try:
        postgres.start()
        redis.start()
        migrate(postgres.url)
        monkeypatch.setenv("DATABASE_URL", postgres.url)
        monkeypatch.setenv("REDIS_URL", redis.url)
        reset_clients()  # then the functions stay warm, as in one Lambda environment
        yield Stack(postgres, redis)
    finally:
        monkeypatch.undo()
        reset_clients()
        redis.close()
        postgres.close()


def _count_users(url: str, email: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            from mdcreator.auth.models import User

            return int(connection.scalar(select(func.count()).where(User.email == email)) or 0)
    finally:
        engine.dispose()


def _timed(call: object) -> tuple[object, float]:
    start = time.perf_counter()
    result = call()  # type: ignore[operator]
    return result, time.perf_counter() - start


def _unavailable_within_two_seconds(*calls: Callable[[], object]) -> None:
    """Each call answers the generic 503, and fast: a client is not left hanging."""
    for call in calls:
        answer, seconds = _timed(call)
        assert (answer.status, answer.body) == (503, UNAVAILABLE), answer  # type: ignore[attr-defined]
        assert seconds < 2, (answer, seconds)


def test_postgres_stopped_then_back(stack: Stack, email: str) -> None:
    assert signup(email).status == 201
    token = login(email).body["access_token"]
    stack.postgres.stop()

    _unavailable_within_two_seconds(
        lambda: signup("during-" + email), lambda: login(email), lambda: me(token)
    )
    health = invoke("health", load_event("health"))
    assert (health.status, health.body["checks"]["database"]) == (503, "unavailable")

    stack.postgres.start()
    assert me(token).status == 200  # same warm process: the pool reconnects by itself
    assert signup("after-" + email).status == 201
    assert invoke("health", load_event("health")).status == 200
    assert _count_users(stack.postgres.url, "during-" + email) == 0  # nothing half-created


def test_redis_stopped_then_back(stack: Stack, email: str) -> None:
    assert signup(email).status == 201
    tokens = login(email).body
    stack.redis.stop()

    answer = login(email)
    assert (answer.status, answer.body) == (503, UNAVAILABLE)  # no token it could not revoke
    assert me(tokens["access_token"]).status == 503
    assert refresh(tokens["refresh_token"]).status == 503
    logout = invoke(
        "logout", http_event("POST", "/api/auth/logout", headers=bearer(tokens["access_token"]))
    )
    assert logout.status == 503
    health = invoke("health", load_event("health"))
    assert (health.status, health.body["checks"]) == (
        503,
        {"database": "ok", "redis": "unavailable"},
    )

    stack.redis.start()
    # This Redis keeps nothing on disk: the old session is gone, so its token fails closed.
    assert me(tokens["access_token"]).status == 401
    fresh = login(email)
    assert fresh.status == 200
    assert me(fresh.body["access_token"]).status == 200


def test_refresh_during_a_database_outage_does_not_spend_the_token(
    stack: Stack, email: str
) -> None:
    assert signup(email).status == 201
    tokens = login(email).body
    stack.postgres.stop()
    try:
        assert refresh(tokens["refresh_token"]).status == 503
    finally:
        stack.postgres.start()
    retried = refresh(tokens["refresh_token"])
    assert retried.status == 200
    assert me(retried.body["access_token"]).status == 200


@dataclass
class HungStack:
    postgres: FreezableProxy
    redis: FreezableProxy


@pytest.fixture
def hung(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[HungStack]:
    """The private servers behind proxies that can stop relaying (a frozen host)."""
    pg_proxy = FreezableProxy(stack.postgres.port)
    redis_proxy = FreezableProxy(stack.redis.port)
    try:
        url = stack.postgres.url.replace(f":{stack.postgres.port}/", f":{pg_proxy.port}/")
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{redis_proxy.port}/0")
        reset_clients()
        yield HungStack(pg_proxy, redis_proxy)
    finally:
        pg_proxy.close()
        redis_proxy.close()


@pytest.mark.parametrize("dependency", ["postgres", "redis"])
def test_a_dependency_that_stops_answering_gives_503_within_two_seconds(
    hung: HungStack, email: str, dependency: str
) -> None:
    proxy: FreezableProxy = getattr(hung, dependency)
    assert signup(email).status == 201
    tokens = login(email).body
    proxy.freeze()
    _unavailable_within_two_seconds(
        lambda: me(tokens["access_token"]),
        lambda: login(email),
        lambda: refresh(tokens["refresh_token"]),
        lambda: signup("during-" + email),
    )
    health, seconds = _timed(lambda: invoke("health", load_event("health")))
    assert health.status == 503  # type: ignore[attr-defined]
    assert seconds < 2
    proxy.drop_connections()
    proxy.thaw()
    assert me(tokens["access_token"]).status == 200  # recovers in the same warm process
