from __future__ import annotations

from typing import Any

from tests.support.handlers import bearer, login, me, refresh
from tests.support.lambda_events import http_event, invoke


def logout_all(access_token: str) -> Any:
    return invoke(
        "logout_all", http_event("POST", "/api/auth/logout-all", headers=bearer(access_token))
    )


def test_logout_all_kills_every_session_including_issued_access_tokens(
    account: dict[str, Any],
) -> None:
    email = account["user"]["email"]
    others = [login(email).body for _ in range(2)]
    answer = logout_all(others[0]["access_token"])
    assert answer.status == 200
    assert answer.body == {"message": "Logged out of all sessions"}
    for session in [account, *others]:
        assert me(session["access_token"]).status == 401
        assert refresh(session["refresh_token"]).status == 401


def test_logout_all_spares_other_users(account: dict[str, Any], email: str) -> None:
    from tests.support.handlers import signup

    signup("other-" + email)
    stranger = login("other-" + email).body
    logout_all(account["access_token"])
    assert me(stranger["access_token"]).status == 200


def test_login_after_logout_all_works(account: dict[str, Any]) -> None:
    logout_all(account["access_token"])
    fresh = login(account["user"]["email"])
    assert fresh.status == 200
    assert me(fresh.body["access_token"]).status == 200
