"""CORS is API Gateway's job (template.yaml), so it is tested over HTTP only."""

from __future__ import annotations

import httpx
import pytest

from tests.support.http import SPA_ORIGIN, bearer

FOREIGN_ORIGIN = "https://evil.example"


def _preflight(api: httpx.Client, path: str, origin: str, headers: str) -> httpx.Response:
    """What a browser asks before a credentialed POST with these request headers."""
    return api.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": headers,
        },
    )


def test_preflight_from_the_spa_is_allowed(api: httpx.Client) -> None:
    answer = _preflight(api, "/api/auth/login", SPA_ORIGIN, "authorization,content-type")
    assert answer.status_code in (200, 204)
    assert answer.headers["access-control-allow-origin"] == SPA_ORIGIN
    assert "POST" in answer.headers["access-control-allow-methods"].upper()
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert answer.headers.get("access-control-allow-credentials") == "true"


def test_real_responses_carry_cors_headers(api: httpx.Client) -> None:
    answer = api.get("/", headers={"Origin": SPA_ORIGIN})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == SPA_ORIGIN


def test_error_responses_carry_cors_headers_too(api: httpx.Client) -> None:
    answer = api.get("/api/auth/me", headers={"Origin": SPA_ORIGIN, **bearer("x")})
    assert answer.status_code == 401
    assert answer.headers["access-control-allow-origin"] == SPA_ORIGIN


def test_preflight_from_a_foreign_origin_is_not_allowed(api: httpx.Client) -> None:
    answer = _preflight(api, "/api/auth/login", FOREIGN_ORIGIN, "authorization,content-type")
    assert answer.status_code < 500
    assert not [name for name in answer.headers if name.startswith("access-control-")]


def test_responses_to_a_foreign_origin_carry_no_cors_headers(
    api: httpx.Client, account: dict[str, object]
) -> None:
    token = str(account["access_token"])
    for answer in (
        api.get("/", headers={"Origin": FOREIGN_ORIGIN}),
        api.get("/api/auth/me", headers={"Origin": FOREIGN_ORIGIN, **bearer(token)}),
        api.post("/api/auth/login", json={}, headers={"Origin": FOREIGN_ORIGIN}),
    ):
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-credentials" not in answer.headers


@pytest.mark.parametrize("origin", [SPA_ORIGIN, "http://localhost:5174"])
def test_preflight_allows_the_cookie_mode_header_with_credentials(
    api: httpx.Client, origin: str
) -> None:
    answer = _preflight(api, "/api/auth/refresh", origin, "x-refresh-token-mode")
    assert answer.status_code in (200, 204)
    assert answer.headers["access-control-allow-origin"] == origin
    assert "x-refresh-token-mode" in answer.headers["access-control-allow-headers"].lower()
    assert answer.headers.get("access-control-allow-credentials") == "true"


def test_cookie_mode_preflight_from_another_localhost_port_allows_nothing(
    api: httpx.Client,
) -> None:
    answer = _preflight(api, "/api/auth/refresh", "http://localhost:8080", "x-refresh-token-mode")
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-credentials" not in answer.headers
