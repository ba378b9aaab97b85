"""CORS is API Gateway's job (template.yaml), so it is tested over HTTP only."""

from __future__ import annotations

import httpx

from tests.integration.conftest import SPA_ORIGIN, bearer


def test_preflight_from_the_spa_is_allowed(api: httpx.Client) -> None:
    answer = api.options(
        "/api/auth/login",
        headers={
            "Origin": SPA_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
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
