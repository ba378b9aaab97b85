"""An attachment's row: what was declared, and where its upload stands. The schema and its
row-level security policies are owned by the Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.orm import Base, Timestamp


class Status(StrEnum):
    # Presigned, not yet checked: counts against the quota.
    PENDING = "pending"
    # Checked and served: counts against the quota.
    READY = "ready"
    # Refused, deleted, or of a deleted workspace: invisible and not counted; the purge
    # deletes its object again once its upload fields have expired, then the row.
    DISCARDED = "discarded"


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'ready', 'discarded')", name="ck_attachments_status"
        ),
        CheckConstraint("size > 0", name="ck_attachments_size"),
        Index("ix_attachments_workspace_created", "workspace_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # No cascade: a workspace's rows (and so its objects) go through the purge, never with it.
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=Status.PENDING)
    created_at: Mapped[Timestamp]
    # When the upload fields stop working: until then an object may still arrive.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def key(self) -> str:
        """The object's key: under the workspace's prefix, never the filename."""
        return object_key(self.workspace_id, self.id)


def object_key(workspace_id: uuid.UUID, attachment_id: uuid.UUID) -> str:
    return f"workspaces/{workspace_id}/{attachment_id}"
