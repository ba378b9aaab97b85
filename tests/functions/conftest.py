"""The functions' handlers in process, against the run's database, Redis and mail server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.handlers import login, signup
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.settings import applied
from tests.support.unbound import Unbound


@pytest.fixture(scope="package", autouse=True)
def _app_settings(app_env: dict[str, str]) -> Iterator[None]:
    with applied(app_env):
        yield


@pytest.fixture
def unbound(database_url: str) -> Iterator[Unbound]:
    """The run's database outside row-level security (tests/support/unbound.py)."""
    db = Unbound(database_url)
    yield db
    db.dispose()


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
