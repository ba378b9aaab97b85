"""Signup's verification mail, a new one on request, and the link that verifies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.handlers import bearer, client_ip, login, me, signup
from tests.support.lambda_events import Answer, http_event, invoke, load_event
from tests.support.mail import MailServer

INVALID = {"detail": "Invalid or expired link"}


def verify(token: str) -> Answer:
    body = {"token": token}
    return invoke("verify_email", http_event("POST", "/api/auth/verify-email", body=body))


def request_verification(access_token: str, ip: str = "203.0.113.10") -> Answer:
    event = http_event(
        "POST", "/api/auth/verify-email/request", headers=bearer(access_token), source_ip=ip
    )
    return invoke("verify_email_request", event)


def test_signup_mails_a_link_that_verifies_the_address(email: str, mail_server: MailServer) -> None:
    created = signup(email)
    assert created.status == 201
    assert created.body["email_verified"] is False
    received = mail_server.mailbox.wait_for(email)[0]
    assert received.message["Subject"] == "Confirm your email address for MD Creator"
    assert received.link.startswith("http://localhost:5173/verify-email?token=")
    assert "expires in 24 hours" in received.text
    assert received.link in received.html

    answer = verify(received.token)
    assert answer.status == 200
    assert answer.body["id"] == created.body["id"]
    assert answer.body["email_verified"] is True
    assert me(login(email).body["access_token"]).body["email_verified"] is True


def test_a_verification_link_works_once(email: str, mail_server: MailServer) -> None:
    signup(email)
    token = mail_server.mailbox.wait_for(email)[0].token
    assert verify(token).status == 200
    assert (verify(token).status, verify(token).body) == (400, INVALID)


@pytest.mark.parametrize("token", ["", "nope", "x" * 512, "a.b.c"])
def test_unknown_or_malformed_tokens_are_one_generic_400(token: str) -> None:
    answer = verify(token)
    if token:
        assert (answer.status, answer.body) == (400, INVALID)
    else:
        assert answer.status == 422


def test_request_sends_a_fresh_link(account: dict[str, Any], mail_server: MailServer) -> None:
    email = account["user"]["email"]
    mail_server.mailbox.wait_for(email)  # the signup's mail
    answer = request_verification(account["access_token"])
    assert (answer.status, answer.body) == (202, {"message": "A verification link is on its way"})
    second = mail_server.mailbox.wait_for(email, 2)[1]
    assert verify(second.token).body["email_verified"] is True
    again = request_verification(account["access_token"])
    assert (again.status, again.body) == (202, {"message": "The address is verified already"})
    assert len(mail_server.mailbox.to(email)) == 2


def test_request_needs_a_token() -> None:
    answer = invoke("verify_email_request", load_event("verify_email_request"))
    assert answer.status == 401


def test_request_is_limited_per_address(
    account: dict[str, Any], override_settings: Any, mail_server: MailServer
) -> None:
    override_settings(EMAIL_VERIFY_MAX=2)
    statuses = [request_verification(account["access_token"], client_ip()).status for _ in range(3)]
    # The signup's mail counts too: one more on request, then 429 from any IP.
    assert statuses == [202, 429, 429]
    refused = request_verification(account["access_token"], client_ip())
    assert int(refused.headers["retry-after"]) > 0
    assert len(mail_server.mailbox.to(account["user"]["email"])) == 2


def test_request_is_limited_per_ip(email: str, override_settings: Any) -> None:
    override_settings(MAIL_IP_MAX=2, EMAIL_VERIFY_MAX=100)
    ip = client_ip()
    tokens = []
    for i in range(3):
        signup(f"{i}-{email}")
        tokens.append(login(f"{i}-{email}").body["access_token"])
    statuses = [request_verification(token, ip).status for token in tokens]
    assert statuses == [202, 202, 429]
    assert request_verification(tokens[2], client_ip()).status == 202


def test_signup_beyond_the_mailbox_limit_still_creates_the_account_without_mail(
    email: str, override_settings: Any, mail_server: MailServer
) -> None:
    override_settings(EMAIL_VERIFY_MAX=1)
    local, domain = email.split("@")
    assert signup(email).status == 201
    # A +tag is the same mailbox: no second mail to it, however the address is spelled.
    assert signup(f"{local}+again@{domain}").status == 201
    mail_server.mailbox.wait_for(email)
    assert mail_server.mailbox.to(f"{local}+again@{domain}") == []


def test_signup_answers_fast_and_201_with_the_relay_down_or_hung(
    email: str, mail_server: MailServer
) -> None:
    import time

    for mode in (mail_server.stop, mail_server.hang):
        mode()
        try:
            started = time.monotonic()
            answer = signup(f"{mode.__name__}-{email}")
            elapsed = time.monotonic() - started
        finally:
            mail_server.resume()
        assert answer.status == 201
        assert elapsed < 2.0  # the send deadline (0.6 s here) bounds it, not a socket timeout
