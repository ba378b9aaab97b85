from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.support.handlers import PASSWORD, bearer, login, me, refresh, signup
from tests.support.lambda_events import Answer, http_event, invoke

NEW_PASSWORD = "a-much-better-passphrase"


def change_password(
    token: str, current: str, new: str = NEW_PASSWORD, ip: str = "203.0.113.10"
) -> Answer:
    body = {"current_password": current, "new_password": new}
    event = http_event("POST", "/api/auth/password", body=body, headers=bearer(token), source_ip=ip)
    return invoke("password", event)


def delete_account(token: str, password: str = PASSWORD) -> Answer:
    event = http_event("DELETE", "/api/auth/me", body={"password": password}, headers=bearer(token))
    return invoke("delete_account", event)


def test_password_change_keeps_this_session_and_ends_the_others(account: dict[str, Any]) -> None:
    email = account["user"]["email"]
    other = login(email).body
    answer = change_password(account["access_token"], PASSWORD)
    assert answer.status == 200
    assert answer.body == {"message": "Password changed"}
    assert me(account["access_token"]).status == 200
    assert me(other["access_token"]).status == 401
    assert refresh(other["refresh_token"]).status == 401
    assert login(email).status == 401
    assert login(email, NEW_PASSWORD).status == 200


def test_password_change_with_wrong_current_is_401_and_changes_nothing(
    account: dict[str, Any],
) -> None:
    answer = change_password(account["access_token"], "not-my-password")
    assert answer.status == 401
    assert answer.body == {"detail": "Incorrect password"}
    assert login(account["user"]["email"]).status == 200


def test_password_change_validates_the_new_password(account: dict[str, Any]) -> None:
    assert change_password(account["access_token"], PASSWORD, "short").status == 422
    assert change_password(account["access_token"], PASSWORD, "a" * 73).status == 422


def test_delete_soft_deletes_and_ends_every_session(account: dict[str, Any]) -> None:
    from mdcreator.auth.models import User
    from mdcreator.infra.db import get_engine

    email = account["user"]["email"]
    other = login(email).body
    answer = delete_account(account["access_token"])
    assert answer.status == 204
    assert answer.body == ""
    for session in (account, other):
        assert me(session["access_token"]).status == 401
        assert refresh(session["refresh_token"]).status == 401
    assert login(email).status == 401
    with get_engine().connect() as connection:
        deleted_at = connection.scalar(select(User.deleted_at).where(User.email == email))
    assert deleted_at is not None


def test_delete_with_wrong_password_is_401_and_keeps_the_account(account: dict[str, Any]) -> None:
    assert delete_account(account["access_token"], "not-my-password").status == 401
    assert me(account["access_token"]).status == 200


def test_a_deleted_accounts_email_can_sign_up_again_as_a_new_account(
    account: dict[str, Any],
) -> None:
    email = account["user"]["email"]
    delete_account(account["access_token"])
    again = signup(email.upper())
    assert again.status == 201
    assert again.body["id"] != account["user"]["id"]
    assert login(email).status == 200
