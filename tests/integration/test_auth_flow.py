"""The seed's checkpoint flow and every endpoint, over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.http import PASSWORD, bearer

Call = Callable[..., httpx.Response]


def test_root(api: httpx.Client) -> None:
    answer = api.get("/")
    assert answer.status_code == 200
    assert answer.json() == {"message": "MD Creator API", "status": "running"}


def test_healthz(api: httpx.Client) -> None:
    answer = api.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "healthy"


def test_checkpoint_flow_signup_login_me_logout(
    api: httpx.Client, email: str, signup: Call, login: Call
) -> None:
    created = signup(email, display_name="Ada")
    assert created.status_code == 201
    assert created.json()["email"] == email
    tokens = login(email).json()
    assert tokens["token_type"] == "bearer"
    me = api.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == created.json()["id"]
    out = api.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    assert out.status_code == 200
    assert out.json() == {"message": "Logged out successfully"}
    after = api.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"


def test_signup_duplicate_in_other_case_is_409(email: str, signup: Call) -> None:
    assert signup(email).status_code == 201
    answer = signup(email.upper())
    assert answer.status_code == 409
    assert answer.json() == {"detail": "Email already registered"}


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "a@example.com", "password": "short"},
        {"email": "a@example.com", "password": "a" * 73},
        {"email": "a@example.com"},
        [],
    ],
)
def test_signup_validation_errors_are_422(api: httpx.Client, body: Any) -> None:
    answer = api.post("/api/auth/signup", json=body)
    assert answer.status_code == 422
    assert isinstance(answer.json()["detail"], list)


def test_login_wrong_password_is_401(email: str, signup: Call, login: Call) -> None:
    signup(email)
    answer = login(email, "wrong-password-123")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Incorrect email or password"}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not.a.token", "Basic dXNlcjpw"])
def test_me_without_a_valid_token_is_401(api: httpx.Client, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    answer = api.get("/api/auth/me", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Could not validate credentials"}


def test_unknown_route_is_a_json_4xx(api: httpx.Client) -> None:
    # Deployed HTTP APIs answer 404; SAM CLI's local gateway 403 "Missing Authentication Token".
    answer = api.get("/api/auth/nope")
    assert answer.status_code in (403, 404)
    assert answer.headers["content-type"].startswith("application/json")


def test_openapi_document_is_served(api: httpx.Client) -> None:
    document = api.get("/openapi.json").json()
    assert "/api/auth/login" in document["paths"]
    assert api.get("/docs").status_code == 200
