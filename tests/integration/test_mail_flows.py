"""The mail flows over HTTP, as a user clicking the link in the mail would.

aiosmtpd in this process receives the mail the emulated function sent; the test reads the
link out of it and posts its token, as the SPA page behind the link does.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.http import PASSWORD, bearer
from tests.support.mail import MailServer

Call = Callable[..., httpx.Response]
INVALID = {"detail": "Invalid or expired link"}
NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture(scope="module", autouse=True)
def _only_emulated(emulated: bool) -> None:
    if not emulated:
        pytest.skip("the mails reach this process's SMTP server only through the emulator")


def test_signup_mail_verify_link_makes_email_verified(
    api: httpx.Client, email: str, signup: Call, login: Call, mail_server: MailServer
) -> None:
    assert signup(email).status_code == 201
    received = mail_server.mailbox.wait_for(email)[0]
    assert received.link.startswith("http://localhost:5173/verify-email?token=")

    answer = api.post("/api/auth/verify-email", json={"token": received.token})
    assert answer.status_code == 200
    assert answer.json()["email_verified"] is True
    token = login(email).json()["access_token"]
    assert api.get("/api/auth/me", headers=bearer(token)).json()["email_verified"] is True


def test_verify_request_mails_a_new_link(
    api: httpx.Client, account: dict[str, Any], mail_server: MailServer
) -> None:
    email = account["user"]["email"]
    answer = api.post("/api/auth/verify-email/request", headers=bearer(account["access_token"]))
    assert answer.status_code == 202
    link = mail_server.mailbox.wait_for(email, 2)[1]
    assert api.post("/api/auth/verify-email", json={"token": link.token}).status_code == 200


def test_email_change_confirmed_from_the_new_address_moves_the_login(
    api: httpx.Client, account: dict[str, Any], login: Call, mail_server: MailServer
) -> None:
    old = account["user"]["email"]
    new = "changed-" + old
    answer = api.post(
        "/api/auth/email",
        json={"new_email": new, "password": PASSWORD},
        headers=bearer(account["access_token"]),
    )
    assert answer.status_code == 202
    assert "about to change" in mail_server.mailbox.wait_for(old, 2)[1].message["Subject"]
    link = mail_server.mailbox.wait_for(new)[0]
    assert link.link.startswith("http://localhost:5173/confirm-email?token=")

    confirmed = api.post("/api/auth/email/confirm", json={"token": link.token})
    assert confirmed.status_code == 200
    assert (confirmed.json()["email"], confirmed.json()["email_verified"]) == (new, True)
    assert login(new).status_code == 200
    assert login(old).status_code == 401


def test_concurrent_uses_of_one_link_have_exactly_one_success(
    api: httpx.Client, email: str, signup: Call, mail_server: MailServer
) -> None:
    signup(email)
    token = mail_server.mailbox.wait_for(email)[0].token
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: api.post("/api/auth/verify-email", json={"token": token}), range(8))
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [400] * 7
    assert all(answer.json() == INVALID for answer in answers if answer.status_code == 400)


def test_forgot_mail_reset_ends_old_sessions_clears_the_lockout_and_sets_the_password(
    api: httpx.Client, account: dict[str, Any], login: Call, mail_server: MailServer
) -> None:
    email = account["user"]["email"]
    for _ in range(5):
        assert login(email, "wrong-password-123").status_code == 401
    assert login(email).status_code == 429  # locked out

    assert api.post("/api/auth/password/forgot", json={"email": email}).status_code == 202
    link = mail_server.mailbox.wait_for(email, 2)[1]
    assert link.link.startswith("http://localhost:5173/reset-password?token=")
    answer = api.post(
        "/api/auth/password/reset", json={"token": link.token, "new_password": NEW_PASSWORD}
    )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    tokens = answer.json()
    assert tokens["user"]["email_verified"] is True
    assert api.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 200

    assert api.get("/api/auth/me", headers=bearer(account["access_token"])).status_code == 401
    old_refresh = {"refresh_token": account["refresh_token"]}
    assert api.post("/api/auth/refresh", json=old_refresh).status_code == 401
    assert login(email).status_code == 401  # old password; the lockout is gone
    assert login(email, NEW_PASSWORD).status_code == 200


def test_concurrent_resets_with_one_link_have_exactly_one_success(
    api: httpx.Client, email: str, signup: Call, login: Call, mail_server: MailServer
) -> None:
    signup(email)
    api.post("/api/auth/password/forgot", json={"email": email})
    token = mail_server.mailbox.wait_for(email, 2)[1].token
    passwords = [f"concurrent-password-{i}" for i in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda password: api.post(
                    "/api/auth/password/reset", json={"token": token, "new_password": password}
                ),
                passwords,
            )
        )
    statuses = [answer.status_code for answer in answers]
    assert sorted(statuses) == [200] + [400] * 5
    winner = passwords[statuses.index(200)]
    assert login(email, winner).status_code == 200
    assert all(login(email, p).status_code == 401 for p in passwords if p != winner)
