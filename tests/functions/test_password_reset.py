"""Forgot and reset: the same answer for every address, a link that works once, for one
account, one address and the password it was mailed for."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.functions.test_verify_email import INVALID, verify
from tests.support.handlers import PASSWORD, bearer, client_ip, login, me, refresh, signup
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.mail import MailServer

ACCEPTED = {"message": "If the address has an account, a reset link is on its way"}
NEW_PASSWORD = "a-brand-new-password"


def forgot(email: str, ip: str = "203.0.113.10") -> Answer:
    event = http_event("POST", "/api/auth/password/forgot", body={"email": email}, source_ip=ip)
    return invoke("password_forgot", event)


def test_forgot_mails_a_reset_link_to_a_live_account(email: str, mail_server: MailServer) -> None:
    signup(email)
    answer = forgot(email.upper())
    assert (answer.status, answer.body) == (202, ACCEPTED)
    received = mail_server.mailbox.wait_for(email, 2)[1]  # after the verification mail
    assert received.message["Subject"] == "Reset your MD Creator password"
    assert received.link.startswith("http://localhost:5173/reset-password?token=")
    assert "expires in 1 hour" in received.text
    assert "If this was not you" in received.text


def test_forgot_for_an_unknown_address_answers_the_same_and_mails_nothing(
    email: str, mail_server: MailServer
) -> None:
    answer = forgot(email)
    assert (answer.status, answer.body) == (202, ACCEPTED)
    time.sleep(0.2)
    assert mail_server.mailbox.to(email) == []


def test_forgot_for_a_deleted_account_mails_nothing(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    email = account["user"]["email"]
    event = http_event(
        "DELETE",
        "/api/auth/me",
        body={"password": PASSWORD},
        headers=bearer(account["access_token"]),
    )
    assert invoke("delete_account", event).status == 204
    assert forgot(email).body == ACCEPTED
    time.sleep(0.2)
    assert len(mail_server.mailbox.to(email)) == 1  # the signup's verification mail only


@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_forgot_is_limited_per_mailbox_whatever_the_spelling_or_ip(
    email: str, known: bool, mail_server: MailServer
) -> None:
    if known:
        signup(email)
    local, domain = email.split("@")
    spellings = [email, email.upper(), f" {email} ", f"{local}+reset@{domain}"]
    answers = [forgot(spelling, ip=client_ip()) for spelling in spellings]
    assert [answer.status for answer in answers] == [202, 202, 202, 429]
    assert int(answers[-1].headers["retry-after"]) > 0
    assert answers[-1].body == {"detail": "Too many attempts, try again later"}
    time.sleep(0.2)
    assert len(mail_server.mailbox.to(email)) == (4 if known else 0)  # 1 verification + 3


def test_forgot_is_limited_per_ip_across_addresses(email: str, override_settings: Any) -> None:
    override_settings(MAIL_IP_MAX=3)
    ip = client_ip()
    statuses = [forgot(f"{i}-{email}", ip=ip).status for i in range(4)]
    assert statuses == [202, 202, 202, 429]
    assert forgot(f"4-{email}", ip=client_ip()).status == 202


@pytest.mark.parametrize("mode", ["stop", "hang"], ids=["relay-down", "relay-hung"])
def test_forgot_answers_202_on_time_when_the_relay_is_down_or_hung(
    email: str, mode: str, mail_server: MailServer
) -> None:
    signup(email)
    getattr(mail_server, mode)()
    try:
        started = time.monotonic()
        answer = forgot(email)
        elapsed = time.monotonic() - started
    finally:
        mail_server.resume()
    assert (answer.status, answer.body) == (202, ACCEPTED)
    assert elapsed < 2.0  # the floor (0.8 s here), not a socket timeout


def reset(token: str, new_password: str = NEW_PASSWORD) -> Answer:
    body = {"token": token, "new_password": new_password}
    return invoke("password_reset", http_event("POST", "/api/auth/password/reset", body=body))


def _reset_token(email: str, mail_server: MailServer) -> str:
    count = len(mail_server.mailbox.to(email))
    assert forgot(email, ip=client_ip()).status == 202
    return mail_server.mailbox.wait_for(email, count + 1)[-1].token


def test_reset_sets_the_password_logs_in_and_ends_every_other_session(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    email = account["user"]["email"]
    other = login(email).body
    answer = reset(_reset_token(email, mail_server))
    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"
    assert set(answer.body) >= {"access_token", "refresh_token", "expires_in", "user"}
    assert answer.body["user"]["email_verified"] is True
    assert me(answer.body["access_token"]).status == 200
    for old in (account, other):
        assert me(old["access_token"]).status == 401
        assert refresh(old["refresh_token"]).status == 401
    assert login(email).status == 401  # the old password
    assert login(email, NEW_PASSWORD).status == 200


def test_reset_clears_the_lockout_of_the_account(email: str, mail_server: MailServer) -> None:
    signup(email)
    ip = client_ip()
    for _ in range(5):
        login(email, "wrong-password-123", ip=ip)
    assert login(email, PASSWORD, ip=ip).status == 429
    assert reset(_reset_token(email, mail_server)).status == 200
    assert login(email, NEW_PASSWORD, ip=ip).status == 200


def test_a_reset_link_works_once(email: str, mail_server: MailServer) -> None:
    signup(email)
    token = _reset_token(email, mail_server)
    assert reset(token).status == 200
    assert (reset(token, "another-new-password").status, reset(token).body) == (400, INVALID)
    assert login(email, "another-new-password").status == 401


def test_a_reset_link_dies_when_the_password_changed_since(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    email = account["user"]["email"]
    token = _reset_token(email, mail_server)
    body = {"current_password": PASSWORD, "new_password": "changed-meanwhile-1"}
    event = http_event(
        "POST", "/api/auth/password", body=body, headers=bearer(account["access_token"])
    )
    assert invoke("password", event).status == 200
    assert (reset(token).status, reset(token).body) == (400, INVALID)
    assert login(email, "changed-meanwhile-1").status == 200


def test_an_older_reset_link_dies_when_a_newer_one_was_used(
    email: str, mail_server: MailServer
) -> None:
    signup(email)
    first, second = _reset_token(email, mail_server), _reset_token(email, mail_server)
    assert reset(second).status == 200
    assert (reset(first, "first-link-password").status, reset(first).body) == (400, INVALID)


def test_a_reset_link_dies_when_the_address_changed_since(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    from tests.functions.test_email_change import change, confirm

    email = account["user"]["email"]
    token = _reset_token(email, mail_server)
    assert change(account["access_token"], "elsewhere-" + email).status == 202
    assert confirm(mail_server.mailbox.wait_for("elsewhere-" + email)[0].token).status == 200
    assert (reset(token).status, reset(token).body) == (400, INVALID)


def test_tokens_of_other_purposes_cannot_reset_and_a_reset_token_cannot_verify(
    email: str, mail_server: MailServer
) -> None:
    signup(email)
    verification = mail_server.mailbox.wait_for(email)[0].token
    assert (reset(verification).status, reset(verification).body) == (400, INVALID)
    token = _reset_token(email, mail_server)
    assert (verify(token).status, verify(token).body) == (400, INVALID)
    assert reset(token).status == 200  # the wrong-purpose tries did not spend it


def test_an_expired_reset_link_is_refused(email: str, mail_server: MailServer) -> None:
    import hashlib

    from mdcreator.infra.redis import get_redis, key

    signup(email)
    token = _reset_token(email, mail_server)
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert get_redis().pexpire(key("link-token", "reset-password", digest), 1)
    time.sleep(0.01)
    assert (reset(token).status, reset(token).body) == (400, INVALID)


def test_a_weak_new_password_is_422_and_keeps_the_link(email: str, mail_server: MailServer) -> None:
    signup(email)
    token = _reset_token(email, mail_server)
    assert reset(token, "short").status == 422
    assert reset(token).status == 200


def test_a_reset_cancels_a_pending_email_change(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    from tests.functions.test_email_change import change, confirm

    email = account["user"]["email"]
    assert change(account["access_token"], "thief-" + email).status == 202
    pending = mail_server.mailbox.wait_for("thief-" + email)[0].token
    assert "cancels the change" in mail_server.mailbox.last(email).text
    assert reset(_reset_token(email, mail_server)).status == 200
    assert (confirm(pending).status, confirm(pending).body) == (400, INVALID)
    assert login(email, NEW_PASSWORD).status == 200


def test_gmail_dots_make_no_new_mailbox_for_the_limit(override_settings: Any) -> None:
    import uuid

    override_settings(PASSWORD_RESET_EMAIL_MAX=2)
    local = "u" + uuid.uuid4().hex[:10]
    dotted = f"{local[:3]}.{local[3:6]}.{local[6:]}"
    spellings = [f"{dotted}@gmail.com", f"{local}@gmail.com", f"{local[:1]}.{local[1:]}@gmail.com"]
    assert [forgot(s, ip=client_ip()).status for s in spellings] == [202, 202, 429]
    # Dots name other mailboxes elsewhere: only Gmail folds them.
    others = [f"{dotted}@example.com", f"{local}@example.com"]
    assert [forgot(s, ip=client_ip()).status for s in others] == [202, 202]
