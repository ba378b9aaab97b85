"""Workspaces, memberships and invitations. The schema and its row-level security policies
are owned by the Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.orm import Base, Timestamp, utc_now

ROLE_VALUES = "role IN ('owner', 'admin', 'editor', 'viewer')"


SEARCH_LANGUAGES = ("simple", "english")


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (
        CheckConstraint(
            "search_language IN ('simple', 'english')", name="ck_workspaces_search_language"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=utc_now)
    # Soft delete: the workspace and everything in it become unreachable at once.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The text-search configuration of its documents: 'simple' matches words as written,
    # 'english' stems them (a search for "edit" finds "edited").
    search_language: Mapped[str] = mapped_column(String(20), server_default="simple")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(ROLE_VALUES, name="ck_memberships_role"),
        Index("ix_memberships_user_joined", "user_id", "joined_at", "workspace_id"),
        Index("ix_memberships_workspace_joined", "workspace_id", "joined_at", "user_id"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[Timestamp]


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(ROLE_VALUES + " AND role <> 'owner'", name="ck_invitations_role"),
        # One open invitation per address and workspace: inviting again replaces its link.
        Index(
            "uq_invitations_open",
            "workspace_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    # sha256 of the mailed token: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[Timestamp]
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
