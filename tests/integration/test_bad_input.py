"""The bad-input battery, over HTTP: every case gets its exact 4xx and a JSON body."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from tests.support.forge import (
    claims_of,
    public_key_as_hmac_secret,
    sign,
    sign_with_other_key,
    swap_payload,
)
from tests.support.http import PASSWORD, bearer

NUL = "bad\x00value"

# endpoint -> (method, path, a valid body, needs a token)
BODY_ENDPOINTS: dict[str, tuple[str, str, dict[str, Any], bool]] = {
    "signup": (
        "POST",
        "/api/auth/signup",
        {"email": "x@example.com", "password": PASSWORD, "display_name": "X"},
        False,
    ),
    "login": ("POST", "/api/auth/login", {"email": "x@example.com", "password": PASSWORD}, False),
    "refresh": ("POST", "/api/auth/refresh", {"refresh_token": "x.y.z"}, False),
    "password": (
        "POST",
        "/api/auth/password",
        {"current_password": PASSWORD, "new_password": PASSWORD + "!"},
        True,
    ),
    "delete": ("DELETE", "/api/auth/me", {"password": PASSWORD}, True),
    "patch-me": (
        "PATCH",
        "/api/auth/me",
        {"display_name": "X", "avatar_url": "https://example.com/a.png", "bio": "b"},
        True,
    ),
}

NUL_CASES = [(name, field) for name, (_, _, body, _) in BODY_ENDPOINTS.items() for field in body]


def _send(api: httpx.Client, endpoint: str, token: str | None, **kwargs: Any) -> httpx.Response:
    method, path, _, needs_token = BODY_ENDPOINTS[endpoint]
    headers = {**kwargs.pop("headers", {}), **(bearer(token) if needs_token and token else {})}
    return api.request(method, path, headers=headers, **kwargs)


def _assert_json_error(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json")
    assert "detail" in answer.json() or "message" in answer.json()


@pytest.mark.parametrize(("endpoint", "field"), NUL_CASES, ids=[f"{e}.{f}" for e, f in NUL_CASES])
def test_nul_bytes_in_every_string_field_are_422(
    api: httpx.Client, account: dict[str, Any], endpoint: str, field: str
) -> None:
    body = {**BODY_ENDPOINTS[endpoint][2], field: NUL}
    _assert_json_error(_send(api, endpoint, account["access_token"], json=body), 422)


def test_nul_in_settings_keys_and_values_is_422(api: httpx.Client, account: dict[str, Any]) -> None:
    for settings in ({"theme": NUL}, {NUL: 1}, {"a": [NUL]}):
        answer = _send(api, "patch-me", account["access_token"], json={"settings": settings})
        _assert_json_error(answer, 422)


NOT_UTF8 = [b'{"email": "\xff\xfe@example.com"}', b"\xff\xfe\x00\x00", b"\xc3\x28\xa0\xa1"]


@pytest.mark.parametrize(
    "body", NOT_UTF8, ids=["json-with-bad-bytes", "utf32-bom", "bad-sequences"]
)
@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
@pytest.mark.usefixtures("non_utf8_bodies_reach_the_function")
def test_bodies_that_are_not_utf8_are_a_clear_4xx(
    api: httpx.Client,
    account: dict[str, Any],
    endpoint: str,
    body: bytes,
) -> None:
    headers = {"Content-Type": "application/json"}
    answer = _send(api, endpoint, account["access_token"], content=body, headers=headers)
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json")
    assert "detail" in answer.json()


@pytest.mark.parametrize("megabytes", [1, 10])
@pytest.mark.parametrize("endpoint", ["signup", "login", "patch-me"])
def test_huge_bodies_are_413(
    api: httpx.Client,
    account: dict[str, Any],
    endpoint: str,
    megabytes: int,
    request: pytest.FixtureRequest,
) -> None:
    if megabytes > 6 and request.config.getoption("--gateway") == "sam-local":
        pytest.skip(
            "sam local cuts events over Lambda's 6 MB invoke limit and the function gets a "
            "truncated event (Runtime.UnmarshalError); API Gateway answers 413 itself"
        )
    body = json.dumps({**BODY_ENDPOINTS[endpoint][2], "pad": "x" * (megabytes * 1_000_000)})
    answer = _send(
        api,
        endpoint,
        account["access_token"],
        content=body,
        headers={"Content-Type": "application/json"},
    )
    _assert_json_error(answer, 413)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_wrong_content_types_are_415(api: httpx.Client, content_type: str) -> None:
    body = json.dumps(BODY_ENDPOINTS["signup"][2])
    answer = api.post("/api/auth/signup", content=body, headers={"Content-Type": content_type})
    _assert_json_error(answer, 415)


@pytest.mark.parametrize("body", ["[]", "[1, 2]", "42", '"text"', "null", "true", "{", "{}"])
@pytest.mark.parametrize("endpoint", ["signup", "login", "refresh"])
def test_non_object_or_broken_json_bodies_are_422(
    api: httpx.Client, endpoint: str, body: str
) -> None:
    answer = _send(api, endpoint, None, content=body, headers={"Content-Type": "application/json"})
    _assert_json_error(answer, 422)


@pytest.mark.parametrize(
    ("password", "status"),
    [("a" * 73, 422), ("🔑" * 19, 422), ("é" * 37, 422), ("🔑" * 18, 201), ("a" * 72, 201)],
    ids=["73-ascii", "76-bytes-emoji", "74-bytes-accents", "72-bytes-emoji", "72-ascii"],
)
def test_password_byte_limits(api: httpx.Client, password: str, status: int) -> None:
    email = f"pw-{uuid.uuid4().hex[:8]}@example.com"
    answer = api.post("/api/auth/signup", json={"email": email, "password": password})
    assert answer.status_code == status
    if status == 201:
        login = api.post("/api/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200


@pytest.mark.parametrize(
    "email",
    [
        'quote"s@example.com',
        "x'; DROP TABLE users;--@example.com",
        "' OR 1=1 --",
        "a" * 300 + "@example.com",
        "nobody@",
        "@example.com",
        "two@@example.com",
    ],
)
def test_hostile_emails_are_422(api: httpx.Client, email: str) -> None:
    _assert_json_error(
        api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}), 422
    )


def test_unicode_email_is_accepted_and_stays_unique(api: httpx.Client) -> None:
    email = f"ünïcødé-{uuid.uuid4().hex[:6]}@exämple.com"
    assert (
        api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 201
    )
    again = api.post("/api/auth/signup", json={"email": email.upper(), "password": PASSWORD})
    assert again.status_code == 409


def _claims(account: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return claims_of(account["access_token"], **changes)


def _now(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


AUTH_VARIANTS: dict[str, Callable[[dict[str, Any]], str]] = {
    # "Bearer " with nothing after it is not a legal header value for HTTP clients;
    # the handler tests send it straight in an event.
    "bearer-only": lambda _: "Bearer",
    "basic": lambda _: "Basic dXNlcjpwYXNzd29yZA==",
    "two-tokens": lambda a: f"Bearer {a['access_token']} Bearer {a['access_token']}",
    "10kb-token": lambda _: "Bearer " + "A" * 10_240,
    "alg-none": lambda a: "Bearer " + jwt.encode(_claims(a), None, algorithm="none"),  # type: ignore[arg-type]
    "hs512": lambda a: "Bearer " + jwt.encode(_claims(a), "k" * 64, algorithm="HS512"),
    "hs256-keyed-with-our-public-key": lambda a: "Bearer " + public_key_as_hmac_secret(_claims(a)),
    "another-key": lambda a: "Bearer " + sign_with_other_key(_claims(a)),
    "tampered-payload": lambda a: (
        "Bearer " + swap_payload(a["access_token"], exp=_claims(a)["exp"] + 86_400)
    ),
    "expired": lambda a: "Bearer " + sign(_claims(a, exp=_now(seconds=-1))),
    "nbf-future": lambda a: "Bearer " + sign(_claims(a, nbf=_now(hours=1))),
    "wrong-iss": lambda a: "Bearer " + sign(_claims(a, iss="evil")),
    "wrong-aud": lambda a: "Bearer " + sign(_claims(a, aud="evil")),
    "wrong-typ": lambda a: "Bearer " + sign(_claims(a, typ="refresh")),
    "refresh-token": lambda a: f"Bearer {a['refresh_token']}",
}


@pytest.mark.parametrize("variant", AUTH_VARIANTS.values(), ids=AUTH_VARIANTS.keys())
@pytest.mark.parametrize("route", [("GET", "/api/auth/me"), ("POST", "/api/auth/logout")])
def test_authorization_variants_are_401(
    api: httpx.Client,
    account: dict[str, Any],
    variant: Callable[[dict[str, Any]], str],
    route: tuple[str, str],
) -> None:
    answer = api.request(*route, headers={"Authorization": variant(account)})
    _assert_json_error(answer, 401)
    assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/auth/me/../../../etc/shadow",
        "/api/auth/unknown",
        "/api/v2/auth/login",
        "/.env",
    ],
)
def test_path_traversal_and_unknown_routes_are_404_json(api: httpx.Client, path: str) -> None:
    answer = api.get(path)
    assert answer.status_code in (403, 404)
    assert answer.headers["content-type"].startswith("application/json")
    assert "etc" not in answer.text and "root:" not in answer.text
