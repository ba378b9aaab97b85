"""A dead Postgres or Redis gives a quick 503 JSON, never a 500 or a hang."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.clients import reset_clients
from tests.support.handlers import bearer, login, signup
from tests.support.lambda_events import http_event, invoke, load_event

DEAD_DATABASE = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"
DEAD_REDIS = "redis://127.0.0.1:1/0"
UNAVAILABLE = {"detail": "Service temporarily unavailable"}


class Outage:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def setenv(self, name: str, dead_url: str) -> None:
        """Point the settings at a port nobody listens on, as a fresh process would see it."""
        self._monkeypatch.setenv(name, dead_url)
        reset_clients()


@pytest.fixture
def dead(monkeypatch: pytest.MonkeyPatch) -> Iterator[Outage]:
    yield Outage(monkeypatch)
    monkeypatch.undo()
    reset_clients()


def test_signup_with_database_down_is_503(dead: Outage, email: str) -> None:
    dead.setenv("DATABASE_URL", DEAD_DATABASE)
    start = time.perf_counter()
    answer = signup(email)
    assert time.perf_counter() - start < 2
    assert answer.status == 503
    assert answer.body == UNAVAILABLE


def test_me_with_database_down_is_503(dead: Outage, account: dict[str, Any]) -> None:
    dead.setenv("DATABASE_URL", DEAD_DATABASE)
    answer = invoke(
        "me", http_event("GET", "/api/auth/me", headers=bearer(account["access_token"]))
    )
    assert answer.status == 503


def test_health_names_the_dead_database(dead: Outage) -> None:
    dead.setenv("DATABASE_URL", DEAD_DATABASE)
    answer = invoke("health", load_event("health"))
    assert answer.status == 503
    assert answer.body == {
        "status": "unhealthy",
        "checks": {"database": "unavailable", "redis": "ok"},
    }


def test_health_names_the_dead_redis(dead: Outage) -> None:
    dead.setenv("REDIS_URL", DEAD_REDIS)
    answer = invoke("health", load_event("health"))
    assert answer.status == 503
    assert answer.body["checks"] == {"database": "ok", "redis": "unavailable"}


def test_login_with_redis_down_issues_no_token(dead: Outage, email: str) -> None:
    assert signup(email).status == 201
    dead.setenv("REDIS_URL", DEAD_REDIS)
    answer = login(email)
    assert answer.status == 503
    assert "access_token" not in answer.body


@pytest.mark.parametrize(
    ("name", "method", "path"),
    [("me", "GET", "/api/auth/me"), ("logout", "POST", "/api/auth/logout")],
)
def test_token_checks_fail_closed_with_redis_down(
    dead: Outage, account: dict[str, Any], name: str, method: str, path: str
) -> None:
    dead.setenv("REDIS_URL", DEAD_REDIS)
    answer = invoke(name, http_event(method, path, headers=bearer(account["access_token"])))
    assert answer.status == 503
    assert answer.body == UNAVAILABLE
