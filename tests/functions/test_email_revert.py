"""An email change cannot take the account for good: the old address's revert link."""

from __future__ import annotations

import uuid
from typing import Any

from redis import Redis

from tests.functions.test_email_change import change, confirm
from tests.functions.test_password_and_delete import change_password
from tests.functions.test_verify_email import INVALID
from tests.support.handlers import PASSWORD, client_ip, login, me, refresh, signup
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.mail import MailServer, Received
from tests.support.settings import REDIS_URL

ATTACKER_PASSWORD = "attacker-owns-this-now"
OWNER_NEW_PASSWORD = "owner-takes-it-back-1"


def revert(token: str) -> Answer:
    body = {"token": token}
    return invoke("email_change_revert", http_event("POST", "/api/auth/email/revert", body=body))


def reset(token: str, new_password: str) -> Answer:
    body = {"token": token, "new_password": new_password}
    return invoke("password_reset", http_event("POST", "/api/auth/password/reset", body=body))


def _notice(mail_server: MailServer, old: str) -> Received:
    notices = [
        mail
        for mail in mail_server.mailbox.wait_for(old, 2)
        if mail.message["Subject"] == "Your MD Creator email address is about to change"
    ]
    assert len(notices) == 1
    return notices[0]


def _take_over(owner: str, mail_server: MailServer) -> dict[str, Any]:
    """The attack: a stuffed password, a new password, the attacker's mailbox, confirmed."""
    attacker_ip = client_ip()
    session = login(owner, ip=attacker_ip).body
    assert change_password(session["access_token"], PASSWORD, ATTACKER_PASSWORD).status == 200
    mailbox = "mallory-" + uuid.uuid4().hex[:8] + "@evil.example"
    assert change(session["access_token"], mailbox, ATTACKER_PASSWORD, ip=attacker_ip).status == 202
    assert confirm(mail_server.mailbox.wait_for(mailbox)[0].token).status == 200
    second = login(mailbox, ATTACKER_PASSWORD, ip=attacker_ip).body
    return {"session": session, "second": second, "mailbox": mailbox}


def test_the_owners_revert_link_takes_back_an_account_moved_to_an_attackers_mailbox(
    email: str, mail_server: MailServer
) -> None:
    assert signup(email).status == 201
    attack = _take_over(email, mail_server)
    notice = _notice(mail_server, email)
    assert notice.link.startswith("http://localhost:5173/revert-email?token=")
    assert "expires in 7 days" in notice.text

    answer = revert(notice.token)
    assert answer.status == 200, answer
    assert (answer.body["user"]["email"], answer.body["user"]["email_verified"]) == (email, True)
    # Every session of the attacker is dead at once, access and refresh tokens alike.
    for session in (attack["session"], attack["second"]):
        assert me(session["access_token"]).status == 401
        assert refresh(session["refresh_token"]).status == 401
    # Neither the attacker's mailbox nor the attacker's password opens the account now.
    assert login(attack["mailbox"], ATTACKER_PASSWORD, ip=client_ip()).status == 401
    assert login(email, ATTACKER_PASSWORD, ip=client_ip()).status == 401
    # The owner chooses a new password with the grant the revert answered with.
    chosen = reset(answer.body["reset_token"], OWNER_NEW_PASSWORD)
    assert chosen.status == 200, chosen
    assert login(email, OWNER_NEW_PASSWORD, ip=client_ip()).status == 200


def test_a_revert_link_works_once(email: str, mail_server: MailServer) -> None:
    assert signup(email).status == 201
    _take_over(email, mail_server)
    token = _notice(mail_server, email).token
    assert revert(token).status == 200
    again = revert(token)
    assert (again.status, again.body) == (400, INVALID)


def test_revert_before_the_confirmation_kills_the_pending_change(
    account: dict[str, Any], mail_server: MailServer
) -> None:
    old = account["user"]["email"]
    new = "pending-" + old
    assert change(account["access_token"], new).status == 202
    assert revert(_notice(mail_server, old).token).status == 200
    pending = confirm(mail_server.mailbox.wait_for(new)[0].token)
    assert (pending.status, pending.body) == (400, INVALID)
    assert me(account["access_token"]).status == 401


def test_the_given_up_address_is_held_for_the_account_while_it_can_revert(
    email: str, mail_server: MailServer
) -> None:
    # The attacker's next move: sign up with the owner's old address so the revert fails.
    assert signup(email).status == 201
    _take_over(email, mail_server)
    squat = signup(email, ip=client_ip())
    assert (squat.status, squat.body) == (409, {"detail": "Email already registered"})
    assert revert(_notice(mail_server, email).token).status == 200


def test_revert_is_409_and_changes_nothing_when_another_account_owns_the_old_address(
    email: str, mail_server: MailServer, redis_prefix: str
) -> None:
    assert signup(email).status == 201
    attack = _take_over(email, mail_server)
    # The hold is gone (Redis lost it): another account takes the old address.
    client = Redis.from_url(REDIS_URL)
    for held in client.scan_iter(f"{redis_prefix}email-held:*"):
        client.delete(held)
    assert signup(email, ip=client_ip()).status == 201
    token = _notice(mail_server, email).token

    answer = revert(token)
    assert (answer.status, answer.body) == (409, {"detail": "Email already registered"})
    # Nothing half done: the moved account keeps its address, password and sessions.
    assert me(attack["second"]["access_token"]).body["email"] == attack["mailbox"]
    assert login(attack["mailbox"], ATTACKER_PASSWORD, ip=client_ip()).status == 200
    # ...and the link is not spent: once the address is free it works.
    other = login(email, ip=client_ip()).body
    delete = http_event(
        "DELETE",
        "/api/auth/me",
        body={"password": PASSWORD},
        headers={"authorization": f"Bearer {other['access_token']}"},
    )
    assert invoke("delete_account", delete).status == 204
    assert revert(token).status == 200
