"""Sessions are bounded: an absolute lifetime and a number per user."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from tests.functions.conftest import client_ip, login, me, refresh, signup


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_the_login_past_the_cap_ends_the_oldest_session(email: str, override_settings: Any) -> None:
    override_settings(MAX_SESSIONS_PER_USER=3)
    signup(email)
    sessions = [login(email, ip=client_ip()).body for _ in range(4)]
    assert [me(s["access_token"]).status for s in sessions] == [401, 200, 200, 200]
    assert refresh(sessions[0]["refresh_token"]).status == 401


def test_no_refresh_past_the_absolute_lifetime(account: dict[str, Any]) -> None:
    from mdcreator import store

    claims = _claims(account["refresh_token"])
    # Ninety-one days of faithful refreshing, in one step: the login time is what counts.
    logged_in = datetime.now(UTC) - timedelta(days=91)
    store.get_redis().hset(
        store.session_key(claims["sub"], claims["sid"]),
        "created_at",
        int(logged_in.timestamp() * 1000),
    )
    assert refresh(account["refresh_token"]).status == 401
    assert me(account["access_token"]).status == 401


def test_tokens_never_outlive_the_session(account: dict[str, Any]) -> None:
    from mdcreator import store

    claims = _claims(account["refresh_token"])
    logged_in = datetime.now(UTC) - timedelta(days=89, hours=23, minutes=55)
    store.get_redis().hset(
        store.session_key(claims["sub"], claims["sid"]),
        "created_at",
        int(logged_in.timestamp() * 1000),
    )
    renewed = refresh(account["refresh_token"]).body
    session_end = logged_in + timedelta(days=90)
    for token in (renewed["refresh_token"], renewed["access_token"]):
        assert _claims(token)["exp"] <= session_end.timestamp() + 1
    assert renewed["expires_in"] <= 5 * 60 + 1


def test_refresh_slides_the_refresh_lifetime(account: dict[str, Any]) -> None:
    first = _claims(account["refresh_token"])
    time.sleep(1.1)
    second = _claims(refresh(account["refresh_token"]).body["refresh_token"])
    assert second["exp"] - first["exp"] >= 1  # a sliding 30 days, under the 90-day cap
