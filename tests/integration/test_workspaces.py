"""Workspaces over HTTP through the template's routes: the three functions are wired, a
stranger gets the same 404, a viewer 403, and an invitation goes mail → link → member."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support.http import PASSWORD
from tests.support.mail import MailServer

NOT_FOUND = {"detail": "Not found"}


@pytest.fixture(scope="module", autouse=True)
def _only_emulated(emulated: bool) -> None:
    if not emulated:
        pytest.skip("the mails reach this process's SMTP server only through the emulator")


def _verified(api: httpx.Client, mail_server: MailServer) -> dict[str, str]:
    email = f"it-ws-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": PASSWORD}
    assert api.post("/api/auth/signup", json=body).status_code == 201
    token = mail_server.mailbox.wait_for(email)[0].token
    assert api.post("/api/auth/verify-email", json={"token": token}).status_code == 200
    access = api.post("/api/auth/login", json=body).json()["access_token"]
    return {"email": email, "Authorization": f"Bearer {access}"}


def _auth(user: dict[str, str]) -> dict[str, str]:
    return {"Authorization": user["Authorization"]}


def test_invite_accept_and_the_isolation_rules_over_http(
    api: httpx.Client, mail_server: MailServer
) -> None:
    owner, guest, stranger = (_verified(api, mail_server) for _ in range(3))
    created = api.post("/api/workspaces", json={"name": "Over HTTP"}, headers=_auth(owner))
    assert created.status_code == 201
    workspace = created.json()["id"]
    base = f"/api/workspaces/{workspace}"
    invited = api.post(
        f"{base}/invitations",
        json={"email": guest["email"], "role": "viewer"},
        headers=_auth(owner),
    )
    assert invited.status_code == 202
    mails = mail_server.mailbox.wait_for(guest["email"], 2)
    token = next(m for m in mails if "/invitation?" in m.text).token
    accepted = api.post("/api/invitations/accept", json={"token": token}, headers=_auth(guest))
    assert (accepted.status_code, accepted.json()["role"]) == (200, "viewer")

    calls: list[tuple[str, str, Any]] = [
        ("GET", base, None),
        ("PATCH", base, {"name": "x"}),
        ("GET", f"{base}/members", None),
        ("GET", f"{base}/invitations", None),
    ]
    for method, path, body in calls:
        answer = api.request(method, path, json=body, headers=_auth(stranger))
        assert (answer.status_code, answer.json()) == (404, NOT_FOUND), path
    assert api.get(f"{base}/members", headers=_auth(guest)).status_code == 200
    refused = api.patch(base, json={"name": "x"}, headers=_auth(guest))
    assert (refused.status_code, refused.json()) == (403, {"detail": "Not allowed"})
    listed = api.get("/api/workspaces", headers=_auth(guest)).json()
    assert [item["id"] for item in listed["items"]] == [workspace]
    assert api.delete(base, headers=_auth(owner)).status_code == 204
    assert api.get(base, headers=_auth(guest)).json() == NOT_FOUND


def test_search_over_http_finds_a_saved_change_and_hides_the_workspace_from_strangers(
    api: httpx.Client, mail_server: MailServer
) -> None:
    owner, stranger = (_verified(api, mail_server) for _ in range(2))
    workspace = api.post("/api/workspaces", json={"name": "Find"}, headers=_auth(owner)).json()
    base = f"/api/workspaces/{workspace['id']}"
    body = {"title": "Plan", "content": "first draft"}
    created = api.post(f"{base}/documents", json=body, headers=_auth(owner))
    assert created.status_code == 201
    changed = api.patch(
        f"/api/documents/{created.json()['id']}",
        json={"content": "今天 we ship Markdown"},
        headers={**_auth(owner), "If-Match": created.headers["etag"]},
    )
    assert changed.status_code == 200
    for q, expected in (("ship", ["ship"]), ("今天", ["今天"]), ("markd", ["Markd"])):
        answer = api.get(f"{base}/search", params={"q": q}, headers=_auth(owner))
        assert answer.status_code == 200, answer.text
        [hit] = answer.json()["items"]
        marks = [hit["snippet"][start:end] for start, end in hit["highlights"]]
        assert (hit["title"], marks) == ("Plan", expected)
    hidden = api.get(f"{base}/search", params={"q": "ship"}, headers=_auth(stranger))
    assert (hidden.status_code, hidden.json()) == (404, NOT_FOUND)
    assert api.get(f"{base}/search", params={"q": " "}, headers=_auth(owner)).status_code == 422
