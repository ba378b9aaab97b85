"""Faults through the emulation: a private Postgres and Redis stopped under a running API."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.database import migrate
from tests.support.http import PASSWORD, bearer
from tests.support.paths import ROOT
from tests.support.proxy import FreezableProxy
from tests.support.servers import PostgresServer, RedisServer

UNAVAILABLE = {"detail": "Service temporarily unavailable"}


@pytest.fixture(scope="module")
def servers(emulated: bool) -> Iterator[tuple[PostgresServer, RedisServer]]:
    if not emulated:
        pytest.skip("stops servers that only the emulated API uses")
    postgres, redis = PostgresServer(), RedisServer()
    try:
        postgres.start()
        redis.start()
        migrate(postgres.url)
        yield postgres, redis
    finally:
        redis.close()
        postgres.close()


@pytest.fixture(scope="module")
def faulty_api(
    servers: tuple[PostgresServer, RedisServer],
    app_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[httpx.Client]:
    from tests.support.emulator import start_api

    postgres, redis = servers
    env = {**app_env, "DATABASE_URL": postgres.url, "REDIS_URL": redis.url}
    env_file = tmp_path_factory.mktemp("faults") / "env.json"
    env_file.write_text(json.dumps({"Parameters": env}))
    with start_api(build_dir=ROOT / ".aws-sam" / "build", env_vars=env_file) as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            _warm_up(client)
            yield client


def _warm_up(api: httpx.Client) -> None:
    """One call to each function the fault tests time: what they time is the fault, not a
    cold start (which alone takes over a second here)."""
    body = {"email": f"warm-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    api.post("/api/auth/signup", json=body)
    tokens = api.post("/api/auth/login", json=body).json()
    api.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    api.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    api.get("/healthz")


def _timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - start


def _unavailable_within_two_seconds(*calls: Callable[[], httpx.Response]) -> None:
    """Each call answers the generic 503, and fast: a client is not left hanging."""
    for call in calls:
        answer, seconds = _timed(call)
        assert (answer.status_code, answer.json()) == (503, UNAVAILABLE)
        assert seconds < 2, (answer, seconds)


def test_postgres_stopped_then_back(
    faulty_api: httpx.Client, servers: tuple[PostgresServer, RedisServer]
) -> None:
    postgres, _ = servers
    email = f"fault-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD}
    assert faulty_api.post("/api/auth/signup", json=body).status_code == 201
    token = faulty_api.post("/api/auth/login", json=body).json()["access_token"]
    # Every function below is warm first: the 2 s are the dependency's, not a cold start's.
    assert faulty_api.get("/api/auth/me", headers=bearer(token)).status_code == 200
    postgres.stop()
    try:
        _unavailable_within_two_seconds(
            lambda: faulty_api.post("/api/auth/signup", json={**body, "email": "x" + email}),
            lambda: faulty_api.post("/api/auth/login", json=body),
            lambda: faulty_api.get("/api/auth/me", headers=bearer(token)),
        )
        health = faulty_api.get("/healthz")
        assert (health.status_code, health.json()["checks"]["database"]) == (503, "unavailable")
    finally:
        postgres.start()
    assert faulty_api.get("/api/auth/me", headers=bearer(token)).status_code == 200
    assert (
        faulty_api.post("/api/auth/signup", json={**body, "email": "y" + email}).status_code == 201
    )
    assert (
        faulty_api.post("/api/auth/login", json={**body, "email": "x" + email}).status_code == 401
    )


def test_redis_stopped_then_back(
    faulty_api: httpx.Client, servers: tuple[PostgresServer, RedisServer]
) -> None:
    _, redis = servers
    body = {"email": f"fault-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    assert faulty_api.post("/api/auth/signup", json=body).status_code == 201
    tokens = faulty_api.post("/api/auth/login", json=body).json()
    redis.stop()
    try:
        for answer in (
            faulty_api.post("/api/auth/login", json=body),
            faulty_api.get("/api/auth/me", headers=bearer(tokens["access_token"])),
            faulty_api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
            faulty_api.post("/api/auth/logout", headers=bearer(tokens["access_token"])),
        ):
            assert (answer.status_code, answer.json()) == (503, UNAVAILABLE)
        assert faulty_api.get("/healthz").json()["checks"]["redis"] == "unavailable"
    finally:
        redis.start()
    fresh = faulty_api.post("/api/auth/login", json=body)
    assert fresh.status_code == 200
    assert (
        faulty_api.get("/api/auth/me", headers=bearer(fresh.json()["access_token"])).status_code
        == 200
    )


@pytest.fixture(scope="module")
def hung_api(
    emulated: bool, app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, FreezableProxy, FreezableProxy]]:
    """The API behind proxies that can stop relaying: a frozen host, not a refused connect."""
    if not emulated:
        pytest.skip("freezes servers that only the emulated API uses")
    from tests.support.emulator import start_api

    postgres, redis = PostgresServer(), RedisServer()
    proxies: list[FreezableProxy] = []
    try:
        postgres.start()
        redis.start()
        migrate(postgres.url)
        pg_proxy, redis_proxy = FreezableProxy(postgres.port), FreezableProxy(redis.port)
        proxies += [pg_proxy, redis_proxy]
        env = {
            **app_env,
            "DATABASE_URL": postgres.url.replace(f":{postgres.port}/", f":{pg_proxy.port}/"),
            "REDIS_URL": f"redis://127.0.0.1:{redis_proxy.port}/0",
        }
        env_file = tmp_path_factory.mktemp("hung") / "env.json"
        env_file.write_text(json.dumps({"Parameters": env}))
        with start_api(build_dir=ROOT / ".aws-sam" / "build", env_vars=env_file) as url:
            with httpx.Client(base_url=url, timeout=30) as client:
                _warm_up(client)
                yield client, pg_proxy, redis_proxy
    finally:
        for proxy in proxies:
            proxy.close()
        redis.close()
        postgres.close()


def _session_calls(
    api: httpx.Client, body: dict[str, str], tokens: dict[str, str]
) -> tuple[Callable[[], httpx.Response], ...]:
    """Login, me and refresh of one account: each needs both Postgres and Redis."""
    return (
        lambda: api.post("/api/auth/login", json=body),
        lambda: api.get("/api/auth/me", headers=bearer(tokens["access_token"])),
        lambda: api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
    )


def test_postgres_that_stops_answering_gives_503_within_two_seconds(
    hung_api: tuple[httpx.Client, FreezableProxy, FreezableProxy],
) -> None:
    api, pg_proxy, _ = hung_api
    email = f"hung-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD}
    assert api.post("/api/auth/signup", json=body).status_code == 201
    tokens = api.post("/api/auth/login", json=body).json()
    pg_proxy.freeze()
    try:
        _unavailable_within_two_seconds(
            *_session_calls(api, body, tokens),
            lambda: api.post("/api/auth/signup", json={**body, "email": "x" + email}),
        )
        health, seconds = _timed(lambda: api.get("/healthz"))
        assert (health.status_code, health.json()["checks"]["database"]) == (503, "unavailable")
        assert seconds < 2
    finally:
        pg_proxy.drop_connections()
        pg_proxy.thaw()
    # The refresh answered 503 before anything was rotated: the same token still works.
    again = api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 200
    assert api.get("/api/auth/me", headers=bearer(again.json()["access_token"])).status_code == 200


def test_redis_that_stops_answering_gives_503_within_two_seconds(
    hung_api: tuple[httpx.Client, FreezableProxy, FreezableProxy],
) -> None:
    api, _, redis_proxy = hung_api
    body = {"email": f"hung-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    assert api.post("/api/auth/signup", json=body).status_code == 201
    tokens = api.post("/api/auth/login", json=body).json()
    redis_proxy.freeze()
    try:
        _unavailable_within_two_seconds(
            *_session_calls(api, body, tokens),
            lambda: api.post("/api/auth/logout", headers=bearer(tokens["access_token"])),
        )
        health, seconds = _timed(lambda: api.get("/healthz"))
        assert (health.status_code, health.json()["checks"]["redis"]) == (503, "unavailable")
        assert seconds < 2
    finally:
        redis_proxy.drop_connections()
        redis_proxy.thaw()
    assert api.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
