"""Workspace stories in process: verified users, and one call helper that routes a request
to the function holding its route."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.accounts import PASSWORD
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.mail import MailServer

NOT_FOUND = {"detail": "Not found"}
NOT_ALLOWED = {"detail": "Not allowed"}
ROLES = ("viewer", "editor", "admin", "owner")  # the owner last: its DELETE ends the workspace


def function_of(path: str) -> str:
    """The function whose routes hold `path` (template.yaml routes the same way)."""
    route = path.partition("?")[0]
    if route.endswith("/search"):
        return "search"
    if route.startswith("/api/attachments/"):
        return "attachment"
    if route.endswith("/attachments"):
        return "attachments"
    if route.startswith("/api/public/shares/"):
        return "public_share"
    if route.startswith("/api/shares/") or route.endswith("/shares"):
        return "shares"
    if "/revisions" in route:
        return "revisions"
    if route.startswith("/api/documents/") and route.endswith("/html"):
        return "document_html"
    if route.startswith("/api/documents") or route.endswith(("/documents", "/trash")):
        return "documents"
    if route.startswith("/api/invitations") or "/invitations" in route:
        return "invitations"
    if "/members" in route:
        return "members"
    return "workspaces"


def api(
    token: str | None,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    headers = {**({"authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    return invoke(function_of(path), http_event(method, path, body=body, headers=headers))


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    token: str

    def __call__(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        return api(self.token, method, path, body, headers)


def new_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def person(mail_server: MailServer, *, verified: bool = True, email: str | None = None) -> Person:
    """A signed-up, logged-in user; verified through the mailed link unless told not to."""
    email = email or new_email()
    body = {"email": email, "password": PASSWORD}
    ip = f"2001:db8:{uuid.uuid4().hex[:4]}::1"
    created = invoke("signup", http_event("POST", "/api/auth/signup", body=body, source_ip=ip))
    assert created.status == 201, created.body
    if verified:
        token = mail_server.mailbox.wait_for(email)[0].token
        event = http_event("POST", "/api/auth/verify-email", body={"token": token})
        assert invoke("verify_email", event).status == 200
    answer = invoke("login", http_event("POST", "/api/auth/login", body=body, source_ip=ip))
    assert answer.status == 200, answer.body
    return Person(answer.body["user"]["id"], email, answer.body["access_token"])


def invitation_token(mail_server: MailServer, email: str, count: int = 1) -> str:
    """The token of the `count`-th invitation mail to `email`."""
    mails = [m for m in mail_server.mailbox.wait_for(email, count) if "/invitation?" in m.text]
    assert len(mails) >= 1
    return mails[-1].token


def member_of(mail_server: MailServer, owner: Person, workspace_id: str, role: str) -> Person:
    """A new verified user who joined `workspace_id` as `role` through an invitation."""
    guest = person(mail_server)
    invited = owner(
        "POST", f"/api/workspaces/{workspace_id}/invitations", {"email": guest.email, "role": role}
    )
    assert invited.status == 202, invited.body
    token = invitation_token(mail_server, guest.email, 2)
    accepted = guest("POST", "/api/invitations/accept", {"token": token})
    assert accepted.status == 200, accepted.body
    return guest


def assert_only_allowed_roles_get_through(
    stranger: Person,
    people: Mapping[str, Person],
    send: Callable[[Person], Answer],
    allowed: Collection[str],
    status: int,
) -> None:
    """One row of an isolation table: a stranger gets the identical 404, each role of the
    workspace the route's answer when the permission table allows it, else the 403."""
    answer = send(stranger)
    assert (answer.status, answer.body) == (404, NOT_FOUND)
    for role in ROLES:
        answer = send(people[role])
        if role in allowed:
            assert answer.status == status, (role, answer.body)
        else:
            assert (answer.status, answer.body) == (403, NOT_ALLOWED), role
