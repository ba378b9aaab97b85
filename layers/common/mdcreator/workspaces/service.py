"""Workspaces and their members. Raises domain errors only.

Every function acts as its caller for row-level security (infra.db.act_as) and asks the
permission table (permissions.py) before it changes anything. Changes to who is an owner
lock the workspace's row first (SELECT … FOR UPDATE), so two of them in parallel are
ordered and the second sees the first: the last owner cannot be demoted twice at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..auth.models import User
from ..core.config import get_settings
from ..infra import pagination
from ..infra.db import act_as
from . import permissions
from .errors import NeedsOwner, TooManyWorkspaces, WorkspaceNotFound
from .models import Membership, Workspace
from .permissions import Action, Role
from .schemas import MemberPage, MemberResponse, WorkspacePage, WorkspaceResponse

# A column of a keyset order.
Keyed = InstrumentedAttribute[Any]


@dataclass(frozen=True)
class Access:
    """A live workspace the caller is a member of, and the caller's role in it now."""

    db: Session
    user: User
    workspace: Workspace
    role: Role

    def require(self, action: Action) -> None:
        permissions.require(self.role, action)

    def allows(self, action: Action) -> bool:
        return permissions.allows(self.role, action)


def parse_id(value: str) -> uuid.UUID:
    """A path's id; one that is not a UUID is as absent as any other (404, not 422)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WorkspaceNotFound() from None


def access(db: Session, user: User, workspace_id: uuid.UUID, *, lock: bool = False) -> Access:
    """The caller's access to a workspace, read now; not a member, deleted or absent: 404.

    `lock` takes the workspace's row lock for the rest of the transaction.
    """
    act_as(db, user.id)
    if lock:
        # Its own statement: a query that waited for a row lock still reads the other
        # tables as they were when it began; the role is read below, after the wait.
        db.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())
    query = (
        select(Workspace, Membership.role)
        .join(
            Membership,
            (Membership.workspace_id == Workspace.id) & (Membership.user_id == user.id),
        )
        .where(Workspace.id == workspace_id, Workspace.deleted_at.is_(None))
    )
    row = db.execute(query).first()
    if row is None:
        raise WorkspaceNotFound()
    return Access(db, user, row[0], Role(row[1]))


def _response(workspace: Workspace, role: Role) -> WorkspaceResponse:
    return WorkspaceResponse(
        id=workspace.id,
        name=workspace.name,
        role=role,
        search_language=workspace.search_language,
        created_at=workspace.created_at,
        updated_at=workspace.updated_at,
    )


def describe(entry: Access) -> WorkspaceResponse:
    return _response(entry.workspace, entry.role)


def _owned_count(db: Session, user_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(Membership)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(
            Membership.user_id == user_id,
            Membership.role == Role.OWNER,
            Workspace.deleted_at.is_(None),
        )
    )
    return db.scalar(query) or 0


def create_workspace(
    db: Session, user: User, name: str, search_language: str = "simple"
) -> WorkspaceResponse:
    act_as(db, user.id)
    # One creation per user at a time, so parallel ones cannot all pass the count.
    db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"ws:{user.id}", 0))))
    if _owned_count(db, user.id) >= get_settings().max_workspaces_per_user:
        raise TooManyWorkspaces()
    workspace = Workspace(name=name, created_by=user.id, search_language=search_language)
    db.add(workspace)
    db.flush()  # the row first: the membership's foreign key needs it
    db.add(Membership(workspace_id=workspace.id, user_id=user.id, role=Role.OWNER))
    db.commit()
    return _response(workspace, Role.OWNER)


def _after[*Ts](
    query: Select[*Ts], columns: tuple[Keyed, Keyed], cursor: str | None
) -> Select[*Ts]:
    """The rows after the cursor's position, in the order of `columns` (keyset, on an index)."""
    if cursor is None:
        return query
    position = pagination.decode(cursor)
    return query.where(tuple_(*columns) > tuple_(position.at, position.id))


def list_workspaces(db: Session, user: User, limit: int, cursor: str | None) -> WorkspacePage:
    """The caller's live workspaces in the order they joined them, keyset-paged."""
    act_as(db, user.id)
    query = (
        select(Workspace, Membership.role, Membership.joined_at)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id, Workspace.deleted_at.is_(None))
        .order_by(Membership.joined_at, Membership.workspace_id)
        .limit(limit + 1)
    )
    query = _after(query, (Membership.joined_at, Membership.workspace_id), cursor)
    rows = db.execute(query).all()
    items = [_response(workspace, Role(role)) for workspace, role, _ in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last_workspace, _, joined_at = rows[limit - 1]
        next_cursor = pagination.encode(pagination.Position(joined_at, last_workspace.id))
    return WorkspacePage(items=items, next_cursor=next_cursor)


def rename_workspace(entry: Access, name: str) -> WorkspaceResponse:
    entry.require(Action.RENAME_WORKSPACE)
    entry.workspace.name = name
    entry.db.commit()
    return describe(entry)


def delete_workspace(entry: Access) -> None:
    """Soft delete: every route then answers 404 for it, its documents included."""
    entry.require(Action.DELETE_WORKSPACE)
    entry.workspace.deleted_at = datetime.now(UTC)
    entry.db.commit()


def list_members(entry: Access, limit: int, cursor: str | None) -> MemberPage:
    entry.require(Action.LIST_MEMBERS)
    query = (
        select(Membership, User.email, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == entry.workspace.id)
        .order_by(Membership.joined_at, Membership.user_id)
        .limit(limit + 1)
    )
    query = _after(query, (Membership.joined_at, Membership.user_id), cursor)
    rows = entry.db.execute(query).all()
    items = [
        MemberResponse(
            user_id=member.user_id,
            email=email,
            display_name=display_name,
            role=Role(member.role),
            joined_at=member.joined_at,
        )
        for member, email, display_name in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = pagination.encode(pagination.Position(last.joined_at, last.user_id))
    return MemberPage(items=items, next_cursor=next_cursor)


def _member(entry: Access, user_id: uuid.UUID) -> tuple[Membership, str, str | None]:
    query = (
        select(Membership, User.email, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == entry.workspace.id, Membership.user_id == user_id)
    )
    row = entry.db.execute(query).first()
    if row is None:
        raise WorkspaceNotFound()
    return row[0], row[1], row[2]


def _keep_an_owner(entry: Access, leaving: uuid.UUID) -> None:
    """Under the workspace's row lock: someone other than `leaving` must stay an owner."""
    others = entry.db.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.workspace_id == entry.workspace.id,
            Membership.role == Role.OWNER,
            Membership.user_id != leaving,
        )
    )
    if not others:
        raise NeedsOwner()


def change_role(entry: Access, user_id: uuid.UUID, role: Role) -> MemberResponse:
    entry.require(Action.MANAGE_MEMBERS)
    entry = access(entry.db, entry.user, entry.workspace.id, lock=True)
    entry.require(Action.MANAGE_MEMBERS)  # the caller's role, read again under the lock
    member, email, display_name = _member(entry, user_id)
    current = Role(member.role)
    entry.require(permissions.to_change(current, role))
    if permissions.is_owner(current) and not permissions.is_owner(role):
        _keep_an_owner(entry, user_id)
    member.role = role
    entry.db.commit()
    return MemberResponse(
        user_id=user_id,
        email=email,
        display_name=display_name,
        role=role,
        joined_at=member.joined_at,
    )


def remove_member(entry: Access, user_id: uuid.UUID) -> None:
    """Remove a member (admin+), or leave (anyone, for themselves)."""
    leaving = user_id == entry.user.id
    if not leaving:
        entry.require(Action.MANAGE_MEMBERS)
    entry = access(entry.db, entry.user, entry.workspace.id, lock=True)
    member, _, _ = _member(entry, user_id)
    current = Role(member.role)
    if not leaving:
        entry.require(permissions.to_change(current, None))
    if permissions.is_owner(current):
        _keep_an_owner(entry, user_id)
    entry.db.delete(member)
    entry.db.commit()
