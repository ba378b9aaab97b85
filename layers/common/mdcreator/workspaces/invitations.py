"""Invitations by mail: a one-time link to join a workspace with a role.

The link's token is random (256 bits) and stored only as its sha256, in the invitation's
row: the row is what pending lists show and revoking changes, so the token lives there too
(no second store to keep in step). Spending it is a conditional change of that row under
its row lock, so an accept and a revoke in parallel are ordered: either the member joined
and the revoke finds nothing pending (404), or the revoke came first and the link is 400.

Inviting looks up no account: the answer and the mail are the same whether or not the
address has one. Limits per workspace and per mailbox (Redis sliding windows) keep a
workspace, or many workspaces together, from flooding one mailbox.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..auth.models import User
from ..core.config import get_settings
from ..infra import mail, pagination, ratelimit
from ..infra.db import act_as
from ..infra.redis import fail_closed, key
from .errors import (
    AlreadyMember,
    InvalidInvitation,
    InvitationForAnotherAddress,
    WorkspaceNotFound,
)
from .models import Invitation, Membership, Workspace
from .permissions import Action, Role, to_invite
from .schemas import InvitationPage, InvitationResponse, WorkspaceResponse
from .service import Access, access, describe

TOKEN_BYTES = 32
# Row-level security shows an invitation to whoever presents its token's digest here.
_PRESENT_TOKEN = text("SELECT set_config('mdc.invitation', :digest, true)")
_OPEN = (Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _tag(value: str) -> str:
    # Keys name a digest, never the address; the braces keep one key in one cluster slot.
    return "{" + hashlib.sha256(value.encode()).hexdigest()[:32] + "}"


@fail_closed
def _check_limits(workspace_id: uuid.UUID, email: str) -> None:
    settings = get_settings()
    window = settings.invitation_window_s
    per_workspace = key("invite-ws", "{" + str(workspace_id) + "}")
    per_mailbox = key("invite-to", _tag(ratelimit.mailbox(email)))
    ratelimit.check_window(per_workspace, settings.invitation_workspace_max, window, record=False)
    ratelimit.check_window(per_mailbox, settings.invitation_mailbox_max, window, record=True)
    ratelimit.check_window(per_workspace, settings.invitation_workspace_max, window, record=True)


def _invitation_mail(entry: Access, email: str, role: Role, token: str) -> mail.Mail:
    settings = get_settings()
    inviter = entry.user.display_name or entry.user.email
    return mail.Mail(
        to=email,
        subject="You are invited to a workspace on MD Creator",
        paragraphs=(
            f"{inviter} invited you to the workspace “{entry.workspace.name}” as {role.value}.",
            "Log in (or sign up) with this address, verify it, then open the link.",
        ),
        link=f"{settings.app_url.rstrip('/')}/invitation?token={token}",
        link_label="Join the workspace",
        lifetime_s=settings.invitation_ttl_days * 86_400,
        not_you="If you do not know this workspace, you can ignore this message.",
    )


def invite(entry: Access, email: str, role: Role) -> None:
    """Mail an invitation; inviting the address again replaces the earlier link."""
    entry.require(Action.INVITE_MEMBER)
    entry.require(to_invite(role))
    member = entry.db.scalar(
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == entry.workspace.id,
            func.lower(User.email) == email.lower(),
        )
    )
    if member is not None:
        raise AlreadyMember()
    _check_limits(entry.workspace.id, email)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = datetime.now(UTC)
    values = {
        "token_hash": _digest(token),
        "email": email,
        "role": role.value,
        "invited_by": entry.user.id,
        "created_at": now,
        "expires_at": now + timedelta(days=get_settings().invitation_ttl_days),
    }
    statement = insert(Invitation).values(
        id=uuid.uuid4(), workspace_id=entry.workspace.id, **values
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Invitation.workspace_id, func.lower(Invitation.email)],
        index_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        set_=values,
    )
    entry.db.execute(statement)
    entry.db.commit()
    deadline = time.monotonic() + get_settings().mail_send_deadline_s
    mail.deliver([_invitation_mail(entry, email, role, token)], deadline)


def list_pending(entry: Access, limit: int, cursor: str | None) -> InvitationPage:
    entry.require(Action.LIST_INVITATIONS)
    query = (
        select(Invitation)
        .where(
            Invitation.workspace_id == entry.workspace.id,
            *_OPEN,
            Invitation.expires_at > func.now(),
        )
        .order_by(Invitation.created_at, Invitation.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        position = pagination.decode(cursor)
        query = query.where(
            (Invitation.created_at, Invitation.id) > (position.at, position.id)  # type: ignore[operator]
        )
    rows = list(entry.db.scalars(query))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = pagination.encode(pagination.Position(last.created_at, last.id))
    items = [InvitationResponse.model_validate(row) for row in rows[:limit]]
    return InvitationPage(items=items, next_cursor=next_cursor)


def revoke(entry: Access, invitation_id: uuid.UUID) -> None:
    """One conditional UPDATE: it waits for an accept holding the row and then finds it
    spent (404), or it spends the invitation first."""
    entry.require(Action.REVOKE_INVITATION)
    revoked = entry.db.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.workspace_id == entry.workspace.id,
            *_OPEN,
            Invitation.expires_at > func.now(),
        )
        .values(revoked_at=func.now())
        .returning(Invitation.id)
    ).first()
    if revoked is None:
        raise WorkspaceNotFound()
    entry.db.commit()


def accept(db: Session, user: User, token: str) -> WorkspaceResponse:
    """Join the invitation's workspace, if the caller's verified address is the invited one.

    A caller with another address gets 403 and the link stays usable for its addressee.
    """
    act_as(db, user.id)
    db.execute(_PRESENT_TOKEN, {"digest": _digest(token)})
    invitation = db.scalar(
        select(Invitation).where(Invitation.token_hash == _digest(token)).with_for_update()
    )
    now = datetime.now(UTC)
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise InvalidInvitation()
    if not user.email_verified or user.email.lower() != invitation.email.lower():
        raise InvitationForAnotherAddress()
    db.execute(
        insert(Membership)
        .values(workspace_id=invitation.workspace_id, user_id=user.id, role=invitation.role)
        .on_conflict_do_nothing()
    )
    live = db.scalar(
        select(Workspace.id).where(
            Workspace.id == invitation.workspace_id, Workspace.deleted_at.is_(None)
        )
    )
    if live is None:
        db.rollback()
        raise InvalidInvitation()
    invitation.accepted_at = now
    invitation.accepted_by = user.id
    db.flush()
    entry = access(db, user, invitation.workspace_id)
    db.commit()
    return describe(entry)
