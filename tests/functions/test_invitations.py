"""Invitations by mail: the link, one use, replacement, the invited address, limits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.support.mail import MailServer
from tests.support.workspaces import Person, invitation_token, new_email, person

INVALID = {"detail": "Invalid or expired link"}


def _setup(mail_server: MailServer) -> tuple[Person, str]:
    owner = person(mail_server)
    return owner, owner("POST", "/api/workspaces", {"name": "Invites"}).body["id"]


def _invite(owner: Person, workspace: str, email: str, role: str = "editor") -> Any:
    return owner("POST", f"/api/workspaces/{workspace}/invitations", {"email": email, "role": role})


def _accept(who: Person, token: str) -> Any:
    return who("POST", "/api/invitations/accept", {"token": token})


def test_the_mail_links_to_the_app_and_the_link_works_once(mail_server: MailServer) -> None:
    from mdcreator.core.config import get_settings

    owner, workspace = _setup(mail_server)
    guest = person(mail_server)
    answer = _invite(owner, workspace, guest.email)
    assert (answer.status, answer.body) == (202, {"message": "Invitation sent"})
    received = mail_server.mailbox.wait_for(guest.email, 2)[1]
    assert received.link.startswith(f"{get_settings().app_url}/invitation?token=")
    assert "Invites" in received.text
    accepted = _accept(guest, received.token)
    assert accepted.status == 200
    assert (accepted.body["id"], accepted.body["role"]) == (workspace, "editor")
    assert _accept(guest, received.token).body == INVALID
    assert owner("GET", f"/api/workspaces/{workspace}/invitations").body["items"] == []


def test_inviting_again_replaces_the_earlier_link(mail_server: MailServer) -> None:
    owner, workspace = _setup(mail_server)
    guest = person(mail_server)
    _invite(owner, workspace, guest.email, "viewer")
    first = invitation_token(mail_server, guest.email, 2)
    _invite(owner, workspace, guest.email.upper(), "editor")
    second = invitation_token(mail_server, guest.email, 3)
    assert len(owner("GET", f"/api/workspaces/{workspace}/invitations").body["items"]) == 1
    assert _accept(guest, first).body == INVALID
    assert _accept(guest, second).body["role"] == "editor"


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    mail_server: MailServer,
) -> None:
    owner, workspace = _setup(mail_server)
    existing, unknown = person(mail_server).email, new_email("nobody")
    answers = [_invite(owner, workspace, email) for email in (existing, unknown)]
    assert [(a.status, a.body) for a in answers] == [(202, {"message": "Invitation sent"})] * 2
    assert invitation_token(mail_server, existing, 2)
    assert invitation_token(mail_server, unknown, 1)


def test_another_address_or_an_unverified_one_is_403_and_leaves_the_link_usable(
    mail_server: MailServer,
) -> None:
    owner, workspace = _setup(mail_server)
    email = new_email("invited")
    _invite(owner, workspace, email)
    token = invitation_token(mail_server, email)
    intruder = person(mail_server)
    refused = _accept(intruder, token)
    assert refused.status == 403
    assert intruder("GET", f"/api/workspaces/{workspace}").status == 404
    unverified = person(mail_server, verified=False, email=email)
    assert _accept(unverified, token).status == 403
    verified = person(mail_server, email=new_email("other"))  # proves nothing for `email`
    assert _accept(verified, token).status == 403
    # The addressee verifies and the same link still works.
    verify = mail_server.mailbox.wait_for(email, 2)
    from tests.support.lambda_events import http_event, invoke

    verification = next(m for m in verify if "/verify-email?" in m.text).token
    event = http_event("POST", "/api/auth/verify-email", body={"token": verification})
    assert invoke("verify_email", event).status == 200
    assert _accept(unverified, token).status == 200


def test_revoked_expired_unknown_and_deleted_workspace_links_are_400(
    mail_server: MailServer,
) -> None:
    from mdcreator.infra.db import act_as, get_engine

    owner, workspace = _setup(mail_server)
    guest = person(mail_server)
    base = f"/api/workspaces/{workspace}/invitations"
    _invite(owner, workspace, guest.email)
    token = invitation_token(mail_server, guest.email, 2)
    invitation = owner("GET", base).body["items"][0]["id"]
    assert owner("DELETE", f"{base}/{invitation}").status == 204
    assert owner("DELETE", f"{base}/{invitation}").status == 404
    assert _accept(guest, token).body == INVALID

    _invite(owner, workspace, guest.email)
    token = invitation_token(mail_server, guest.email, 3)
    with Session(get_engine()) as session:
        act_as(session, uuid.UUID(owner.id))
        session.execute(text("UPDATE invitations SET expires_at = now() - interval '1 second'"))
        session.commit()
    assert _accept(guest, token).body == INVALID
    assert _accept(guest, "made-up-token").body == INVALID

    _invite(owner, workspace, guest.email)
    token = invitation_token(mail_server, guest.email, 4)
    assert owner("DELETE", f"/api/workspaces/{workspace}").status == 204
    assert _accept(guest, token).body == INVALID


def test_only_an_owner_invites_an_admin_and_members_are_not_invited_again(
    mail_server: MailServer,
) -> None:
    from tests.support.workspaces import member_of

    owner, workspace = _setup(mail_server)
    admin = member_of(mail_server, owner, workspace, "admin")
    assert _invite(admin, workspace, new_email(), "admin").body == {"detail": "Not allowed"}
    assert _invite(admin, workspace, new_email(), "editor").status == 202
    assert _invite(owner, workspace, new_email(), "admin").status == 202
    assert _invite(owner, workspace, new_email(), "owner").status == 422
    assert _invite(owner, workspace, admin.email).body == {"detail": "Already a member"}


def test_invitations_are_limited_per_workspace(
    mail_server: MailServer, override_settings: Any
) -> None:
    override_settings(INVITATION_WORKSPACE_MAX=2)
    owner, workspace = _setup(mail_server)
    assert [_invite(owner, workspace, new_email()).status for _ in range(3)] == [202, 202, 429]


def test_invitations_are_limited_per_mailbox_across_workspaces(
    mail_server: MailServer, override_settings: Any
) -> None:
    override_settings(INVITATION_MAILBOX_MAX=2)
    email = new_email("popular")
    local, _, domain = email.partition("@")
    statuses = []
    for tag in ("a", "b", "c"):
        owner, workspace = _setup(mail_server)
        statuses.append(_invite(owner, workspace, f"{local}+{tag}@{domain}").status)
    assert statuses == [202, 202, 429]
