"""Email change: a link to the new address, a notice to the old, confirmation by the link."""

from __future__ import annotations

import time
from typing import Any

from tests.functions.test_verify_email import INVALID, verify
from tests.support.handlers import PASSWORD, bearer, client_ip, login, me, signup
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.mail import MailServer

ACCEPTED = {"message": "A confirmation link is on its way to the new address"}


def change(
    access_token: str, new_email: str, password: str = PASSWORD, ip: str = "203.0.113.10"
) -> Answer:
    body = {"new_email": new_email, "password": password}
    event = http_event(
        "POST", "/api/auth/email", body=body, headers=bearer(access_token), source_ip=ip
    )
    return invoke("email_change", event)


def confirm(token: str) -> Answer:
    body = {"token": token}
    return invoke("email_change_confirm", http_event("POST", "/api/auth/email/confirm", body=body))


def test_a_new_address_with_an_encoded_word_is_422(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    # The email package would decode it in the To header: a broken header (a 500 after the
    # password check) or the link in another mailbox than the one the account would hold.
    for local_part in ("=?utf-8?q?a=0d=0a?=", "=?utf-8?q?attacker=40evil.example?="):
        answer = change(account["access_token"], local_part + "@corp.example")
        assert answer.status == 422, answer
    recipients = [rcpt for mail in mail_server.mailbox.received for rcpt in mail.recipients]
    assert not [rcpt for rcpt in recipients if "corp.example" in rcpt]


def test_change_mails_the_new_address_a_link_and_the_old_a_notice(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    old = account["user"]["email"]
    new = "new-" + old
    answer = change(account["access_token"], new)
    assert (answer.status, answer.body) == (202, ACCEPTED)
    link = mail_server.mailbox.wait_for(new)[0]
    assert link.message["Subject"] == "Confirm your new email address for MD Creator"
    assert link.link.startswith("http://localhost:5173/confirm-email?token=")
    assert "expires in 1 hour" in link.text
    notice = mail_server.mailbox.wait_for(old, 2)[1]  # after the signup's verification mail
    assert notice.message["Subject"] == "Your MD Creator email address is about to change"
    assert new in notice.text and "reset your password" in notice.text

    confirmed = confirm(link.token)
    assert confirmed.status == 200
    assert (confirmed.body["email"], confirmed.body["email_verified"]) == (new, True)
    assert login(new).status == 200
    assert login(old).status == 401
    assert (confirm(link.token).status, confirm(link.token).body) == (400, INVALID)


def test_wrong_password_is_401_and_sends_nothing(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    new = "never-" + account["user"]["email"]
    answer = change(account["access_token"], new, password="wrong-password-1")
    assert (answer.status, answer.body) == (401, {"detail": "Incorrect password"})
    assert mail_server.mailbox.to(new) == []


def test_change_to_the_current_address_is_400(account: dict[str, Any]) -> None:
    answer = change(account["access_token"], account["user"]["email"].upper())
    assert (answer.status, answer.body) == (400, {"detail": "The new email is the current one"})


def test_taken_address_gets_the_same_answer_and_a_mail_that_says_so(
    account: dict[str, Any], email: str, mail_server: MailServer
) -> None:
    taken = "taken-" + email
    assert signup(taken).status == 201
    answer = change(account["access_token"], taken)
    assert (answer.status, answer.body) == (202, ACCEPTED)
    received = mail_server.mailbox.wait_for(taken, 2)[1]
    assert "already belongs to an MD Creator account" in received.text
    assert "?token=" not in received.text  # nothing to confirm


def test_confirm_is_409_when_a_live_account_took_the_address_meanwhile(
    account: dict[str, Any], email: str, mail_server: MailServer
) -> None:
    new = "race-" + email
    change(account["access_token"], new)
    token = mail_server.mailbox.wait_for(new)[0].token
    assert signup(new).status == 201
    answer = confirm(token)
    assert (answer.status, answer.body) == (409, {"detail": "Email already registered"})
    assert me(account["access_token"]).body["email"] == account["user"]["email"]


def test_verification_link_of_the_old_address_dies_with_the_change(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    old = account["user"]["email"]
    verification = mail_server.mailbox.wait_for(old)[0].token
    change(account["access_token"], "moved-" + old)
    assert confirm(mail_server.mailbox.wait_for("moved-" + old)[0].token).status == 200
    answer = verify(verification)
    assert (answer.status, answer.body) == (400, INVALID)


def test_a_change_link_dies_when_the_address_changed_another_way(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    old = account["user"]["email"]
    change(account["access_token"], "first-" + old)
    change(account["access_token"], "second-" + old)
    first = mail_server.mailbox.wait_for("first-" + old)[0].token
    second = mail_server.mailbox.wait_for("second-" + old)[0].token
    assert confirm(second).status == 200
    assert (confirm(first).status, confirm(first).body) == (400, INVALID)
    assert me(account["access_token"]).body["email"] == "second-" + old


def test_a_verification_token_cannot_confirm_a_change(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    token = mail_server.mailbox.wait_for(account["user"]["email"])[0].token
    assert (confirm(token).status, confirm(token).body) == (400, INVALID)
    assert verify(token).status == 200  # a wrong-purpose try does not spend it


def test_change_is_limited_per_new_address_across_accounts_and_ips(
    email: str, override_settings: Any, mail_server: MailServer
) -> None:
    override_settings(EMAIL_CHANGE_MAX=2)
    target = "target-" + email
    local, domain = target.split("@")
    statuses = []
    for i, spelling in enumerate([target, target.upper(), f"{local}+x@{domain}"]):
        signup(f"{i}-{email}")
        token = login(f"{i}-{email}").body["access_token"]
        statuses.append(change(token, spelling, ip=client_ip()).status)
    assert statuses == [202, 202, 429]
    assert len(mail_server.mailbox.to(target)) == 2
    assert mail_server.mailbox.to(f"{local}+x@{domain}") == []


def test_taken_and_free_new_addresses_answer_in_the_same_time(
    account: dict[str, Any], email: str, mail_server: MailServer, override_settings: Any
) -> None:
    override_settings(EMAIL_CHANGE_MAX=100)
    signup("owned-" + email)
    mail_server.mailbox.delay_s = 0.3
    try:
        timings: dict[str, list[float]] = {"taken": [], "free": []}
        for i in range(3):
            for kind, address in (("taken", "owned-" + email), ("free", f"free{i}-{email}")):
                started = time.monotonic()
                assert change(account["access_token"], address, ip=client_ip()).status == 202
                timings[kind].append(time.monotonic() - started)
    finally:
        mail_server.mailbox.delay_s = 0.0
    taken, free = sorted(timings["taken"])[1], sorted(timings["free"])[1]
    assert abs(taken - free) < 0.15, timings


def test_changes_aimed_at_a_victims_address_leave_the_victim_its_own(
    email: str, override_settings: Any
) -> None:
    override_settings(EMAIL_CHANGE_MAX=3)
    victim, attacker = "victim-" + email, "attacker-" + email
    for address in (victim, attacker):
        assert signup(address, ip=client_ip()).status == 201
    attacker_token = login(attacker, ip=client_ip()).body["access_token"]
    # Each asks to move the attacker's account to the victim's address: the victim gets a
    # notice saying so, and the attacker's account stays where it is.
    for _ in range(3):
        assert change(attacker_token, victim, ip=client_ip()).status == 202
    assert change(attacker_token, victim, ip=client_ip()).status == 429
    victim_token = login(victim, ip=client_ip()).body["access_token"]
    assert change(victim_token, "new-" + victim, ip=client_ip()).status == 202
