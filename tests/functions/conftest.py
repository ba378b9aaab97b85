from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.lambda_events import Answer, http_event, invoke

PASSWORD = "correct-horse-battery"


def signup(email: str, password: str = PASSWORD, **extra: Any) -> Answer:
    body = {"email": email, "password": password, **extra}
    return invoke("signup", http_event("POST", "/api/auth/signup", body=body))


def login(email: str, password: str = PASSWORD) -> Answer:
    body = {"email": email, "password": password}
    return invoke("login", http_event("POST", "/api/auth/login", body=body))


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def account(email: str) -> dict[str, Any]:
    """A signed-up user, logged in: the login answer's body."""
    assert signup(email).status == 201
    answer = login(email)
    assert answer.status == 200
    return answer.body


@pytest.fixture
def call() -> Callable[..., Answer]:
    def _call(name: str, method: str, path: str, **kwargs: Any) -> Answer:
        return invoke(name, http_event(method, path, **kwargs))

    return _call
