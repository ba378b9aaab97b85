"""New-device mail: a login from a device the account has not seen mails its owner."""

from __future__ import annotations

import time
from typing import Any

from tests.functions.test_email_revert import reset
from tests.functions.test_own_sessions import FIREFOX, IPHONE, list_sessions
from tests.functions.test_verify_email import INVALID
from tests.support.handlers import PASSWORD, client_ip, login, me, refresh, signup
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.mail import MailServer, Received

SUBJECT = "New sign-in to your MD Creator account"


def login_with(email: str, ip: str, agent: str, device_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"email": email, "password": PASSWORD}
    if device_token:
        body["device_token"] = device_token
    event = http_event(
        "POST", "/api/auth/login", body=body, source_ip=ip, headers={"user-agent": agent}
    )
    answer = invoke("login", event)
    assert answer.status == 200, answer
    return dict(answer.body)


def deny(token: str) -> Answer:
    body = {"token": token}
    return invoke("sessions", http_event("POST", "/api/auth/sessions/deny", body=body))


def notices(mail_server: MailServer, email: str) -> list[Received]:
    return [m for m in mail_server.mailbox.to(email) if m.message["Subject"] == SUBJECT]


def wait_for_notices(mail_server: MailServer, email: str, count: int) -> list[Received]:
    deadline = time.monotonic() + 5
    while len(found := notices(mail_server, email)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(found) == count, [m.message["Subject"] for m in mail_server.mailbox.to(email)]
    return found


def test_a_login_from_a_new_device_mails_the_owner_time_ip_and_browser(
    email: str, mail_server: MailServer
) -> None:
    assert signup(email).status == 201
    home = login_with(email, client_ip(), FIREFOX)  # the signup's own device: no mail
    thief_ip = client_ip()
    login_with(email, thief_ip, IPHONE)
    notice = wait_for_notices(mail_server, email, 1)[0]
    assert thief_ip in notice.text and IPHONE in notice.text and "UTC" in notice.text
    assert notice.link.startswith("http://localhost:5173/not-me?token=")
    # The same browser again with the device token it got: not new.
    login_with(email, client_ip(), FIREFOX, device_token=home["device_token"])
    time.sleep(0.2)
    assert len(notices(mail_server, email)) == 1


def test_this_was_not_me_ends_that_session_and_its_device_token_and_asks_for_a_reset(
    email: str, mail_server: MailServer
) -> None:
    assert signup(email).status == 201
    owner = login_with(email, client_ip(), FIREFOX)
    thief = login_with(email, client_ip(), IPHONE)
    token = wait_for_notices(mail_server, email, 1)[0].token

    answer = deny(token)
    assert answer.status == 200, answer
    assert me(thief["access_token"]).status == 401
    assert refresh(thief["refresh_token"]).status == 401
    assert me(owner["access_token"]).status == 200  # only that device
    # The thief's device token no longer counts as a known device: its next login mails.
    login_with(email, client_ip(), IPHONE, device_token=thief["device_token"])
    wait_for_notices(mail_server, email, 2)
    # The answer carries a reset grant: the owner chooses a password, the thief's dies.
    assert reset(answer.body["reset_token"], "owner-chose-this-1").status == 200
    assert login(email, PASSWORD, ip=client_ip()).status == 401
    again = deny(token)
    assert (again.status, again.body) == (400, INVALID)


def test_new_device_mails_are_capped_per_account_and_deduped_per_device(
    email: str, mail_server: MailServer, override_settings: Any
) -> None:
    override_settings(NEW_DEVICE_MAIL_MAX=2)
    assert signup(email).status == 201
    login_with(email, client_ip(), FIREFOX)
    # One device (agent and network) without cookies: one mail, however often it logs in.
    for _ in range(3):
        login_with(email, "198.51.100.7", "curl/8.5.0")
    wait_for_notices(mail_server, email, 1)
    # Many "new" devices: at most NEW_DEVICE_MAIL_MAX mails an hour.
    for i in range(5):
        login_with(email, client_ip(), f"bot/{i}")
    time.sleep(0.3)
    assert len(notices(mail_server, email)) == 2
    history = invoke(
        "security_events",
        http_event(
            "GET",
            "/api/auth/security-events",
            headers={"authorization": f"Bearer {login(email).body['access_token']}"},
        ),
    ).body["items"]
    assert [item["kind"] for item in history].count("new_device") >= 6


def test_a_hung_relay_does_not_hold_the_login_up(
    email: str, mail_server: MailServer, override_settings: Any
) -> None:
    override_settings(NEW_DEVICE_MAIL_WAIT_S=0.3)
    assert signup(email).status == 201
    login_with(email, client_ip(), FIREFOX)
    mail_server.hang()
    try:
        started = time.monotonic()
        session = login_with(email, client_ip(), IPHONE)
        assert time.monotonic() - started < 0.8
    finally:
        mail_server.resume()
    assert list_sessions(session["access_token"]).status == 200
