"""Sessions are bounded: an absolute lifetime and a number per user."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from mdcreator.auth import signin
from tests.functions.test_logout_all import logout_all
from tests.functions.test_password_and_delete import change_password
from tests.support.handlers import PASSWORD, client_ip, in_thread, login, me, refresh, signup


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_the_login_past_the_cap_ends_the_oldest_session(email: str, override_settings: Any) -> None:
    override_settings(MAX_SESSIONS_PER_USER=3)
    signup(email)
    sessions = [login(email, ip=client_ip()).body for _ in range(4)]
    assert [me(s["access_token"]).status for s in sessions] == [401, 200, 200, 200]
    assert refresh(sessions[0]["refresh_token"]).status == 401


def test_no_refresh_past_the_absolute_lifetime(account: dict[str, Any]) -> None:
    from mdcreator.auth import sessions

    claims = _claims(account["access_token"])
    # Ninety-one days of faithful refreshing, in one step: the login time is what counts.
    logged_in = datetime.now(UTC) - timedelta(days=91)
    sessions.get_redis().hset(
        sessions.session_key(claims["sub"], claims["sid"]),
        "created_at",
        int(logged_in.timestamp() * 1000),
    )
    assert refresh(account["refresh_token"]).status == 401
    assert me(account["access_token"]).status == 401


def test_tokens_never_outlive_the_session(account: dict[str, Any]) -> None:
    from mdcreator.auth import sessions

    claims = _claims(account["access_token"])
    logged_in = datetime.now(UTC) - timedelta(days=89, hours=23, minutes=55)
    sessions.get_redis().hset(
        sessions.session_key(claims["sub"], claims["sid"]),
        "created_at",
        int(logged_in.timestamp() * 1000),
    )
    renewed = refresh(account["refresh_token"]).body
    session_end = logged_in + timedelta(days=90)
    assert _claims(renewed["access_token"])["exp"] <= session_end.timestamp() + 1
    assert renewed["expires_in"] <= 5 * 60 + 1
    # The opaque refresh token lives as long as its session's key.
    key = sessions.session_key(claims["sub"], claims["sid"])
    assert sessions.get_redis().pttl(key) <= 5 * 60 * 1000 + 1000


def test_refresh_slides_the_refresh_lifetime(account: dict[str, Any]) -> None:
    from mdcreator.auth import sessions

    claims = _claims(account["access_token"])
    key = sessions.session_key(claims["sub"], claims["sid"])
    time.sleep(1.1)
    first = sessions.get_redis().pttl(key)
    assert refresh(account["refresh_token"]).status == 200
    second = sessions.get_redis().pttl(key)
    assert second - first >= 900  # a sliding 30 days, under the 90-day cap


@pytest.mark.parametrize("revocation", ["password", "logout_all"])
def test_a_login_racing_a_revocation_keeps_no_device_token(
    email: str, override_settings: Any, monkeypatch: pytest.MonkeyPatch, revocation: str
) -> None:
    # A login creates its session, commits last_seen_at and signs its tokens before its device
    # token is stored: a password change or logout-all landing there ends the session, and a
    # device token stored after it would outlive the revocation it should die with.
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=2)
    assert signup(email).status == 201
    owner = login(email, ip=client_ip()).body
    revoke = {
        "password": lambda: change_password(owner["access_token"], PASSWORD),
        "logout_all": lambda: logout_all(owner["access_token"]),
    }[revocation]
    touch, revoked = signin.touch_last_seen, []

    def touch_then_revoke(*args: Any, **kwargs: Any) -> None:
        # The real call, then the owner's revocation, run to its end from another thread:
        # this places it between the login's session and its device token, every time.
        touch(*args, **kwargs)
        if not revoked:
            worker = threading.Thread(target=lambda: revoked.append(in_thread(revoke).status))
            worker.start()
            worker.join()

    monkeypatch.setattr(signin, "touch_last_seen", touch_then_revoke)
    raced = login(email, ip=client_ip())  # the password as it was before the change
    monkeypatch.setattr(signin, "touch_last_seen", touch)
    assert revoked == [200]
    if raced.status == 200:
        assert me(raced.body["access_token"]).status == 401
    else:
        assert raced.status == 401
    # Whatever device token that login got must not pass the tripped account-wide limit.
    for _ in range(2):
        assert login(email, "wrong-password-123", ip=client_ip()).status == 401
    assert login(email, "wrong-password-123", ip=client_ip()).status == 429
    device_token = raced.body.get("device_token", "none")
    stale = login(email, "wrong-password-123", ip=client_ip(), device_token=device_token)
    assert stale.status == 429
