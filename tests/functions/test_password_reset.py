"""Forgot password: the same answer for every address, a mail only for a live account."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.functions.conftest import PASSWORD, bearer, client_ip, signup
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.mail import MailServer

ACCEPTED = {"message": "If the address has an account, a reset link is on its way"}


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
