"""Attachments: presign an upload inside the quota, check it, serve it, delete it.

Every function acts as its caller for row-level security and asks the permission table.
The quota is checked under the workspace's row lock, so parallel uploads to one workspace
are ordered and each sees the bytes the others reserved. An attachment's own changes
(complete, delete) hold its row lock, so two of them in parallel are ordered too.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from ..auth.models import User
from ..core.config import get_settings
from ..infra import pagination
from ..workspaces.permissions import Action
from ..workspaces.service import Access, access
from . import filetypes, storage
from .errors import (
    AttachmentNotFound,
    FileTooLarge,
    NotReady,
    StorageFull,
    TypeNotAccepted,
    UploadRejected,
)
from .models import Attachment, Status
from .schemas import AttachmentCreate, AttachmentCreated, AttachmentPage, AttachmentResponse

MB = 1024 * 1024
_COUNTED = (Status.PENDING, Status.READY)


def parse_id(value: str) -> uuid.UUID:
    """A path's id; one that is not a UUID is as absent as any other (404, not 422)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise AttachmentNotFound() from None


def _used(db: Session, workspace_id: uuid.UUID) -> int:
    query = select(func.coalesce(func.sum(Attachment.size), 0)).where(
        Attachment.workspace_id == workspace_id, Attachment.status.in_(_COUNTED)
    )
    return int(db.scalar(query) or 0)


def create(entry: Access, body: AttachmentCreate) -> AttachmentCreated:
    """Reserve the declared size and presign the upload of exactly that file."""
    settings = get_settings()
    entry.require(Action.UPLOAD_ATTACHMENTS)
    if body.content_type not in filetypes.ACCEPTED:
        raise TypeNotAccepted()
    if body.size > settings.max_upload_size_mb * MB:
        raise FileTooLarge()
    entry = access(entry.db, entry.user, entry.workspace.id, lock=True)
    entry.require(Action.UPLOAD_ATTACHMENTS)  # the role, read again under the lock
    if _used(entry.db, entry.workspace.id) + body.size > settings.workspace_storage_quota_mb * MB:
        raise StorageFull()
    now = datetime.now(UTC)
    attachment = Attachment(
        id=uuid.uuid4(),
        workspace_id=entry.workspace.id,
        uploaded_by=entry.user.id,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
        status=Status.PENDING,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.upload_url_ttl_s),
    )
    entry.db.add(attachment)
    entry.db.flush()
    upload = storage.presign_post(
        attachment.key, body.content_type, body.size, settings.upload_url_ttl_s
    )
    entry.db.commit()
    return AttachmentCreated.model_validate(
        {
            "id": attachment.id,
            "status": attachment.status,
            "upload": {"url": upload.url, "fields": upload.fields},
            "expires_at": attachment.expires_at,
        }
    )


def list_attachments(entry: Access, limit: int, cursor: str | None) -> AttachmentPage:
    """The workspace's pending and ready attachments, oldest first, keyset-paged."""
    entry.require(Action.READ_ATTACHMENTS)
    query = (
        select(Attachment)
        .where(Attachment.workspace_id == entry.workspace.id, Attachment.status.in_(_COUNTED))
        .order_by(Attachment.created_at, Attachment.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        position = pagination.decode(cursor)
        query = query.where(
            tuple_(Attachment.created_at, Attachment.id) > tuple_(position.at, position.id)
        )
    rows = list(entry.db.scalars(query))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = pagination.encode(pagination.Position(last.created_at, last.id))
    items = [AttachmentResponse.model_validate(row) for row in rows[:limit]]
    return AttachmentPage(items=items, next_cursor=next_cursor)


def _find(
    db: Session, user: User, attachment_id: uuid.UUID, action: Action, *, lock: bool = False
) -> tuple[Attachment, Access]:
    """The attachment and the caller's access to its workspace; 404 unless the caller is a
    member of its live workspace (row-level security hides the rest), 403 below `action`."""
    query = select(Attachment).where(
        Attachment.id == attachment_id, Attachment.status != Status.DISCARDED
    )
    attachment = db.scalar(query.with_for_update() if lock else query)
    if attachment is None:
        raise AttachmentNotFound()
    entry = access(db, user, attachment.workspace_id)
    entry.require(action)
    return attachment, entry


def _discard(db: Session, attachment: Attachment) -> None:
    """Out of sight and out of the quota; the purge deletes its object once more after its
    upload fields expire (an upload may still arrive until then), then the row."""
    attachment.status = Status.DISCARDED
    db.commit()


def complete(db: Session, user: User, attachment_id: uuid.UUID) -> AttachmentResponse:
    """Ready once the object is there with the declared size and first bytes of the declared
    type; otherwise the object is deleted, the quota released and the answer 422."""
    attachment, _ = _find(db, user, attachment_id, Action.UPLOAD_ATTACHMENTS, lock=True)
    if attachment.status != Status.READY:
        found = storage.first_bytes(attachment.key, filetypes.SNIFF_BYTES)
        size, head = found if found is not None else (0, b"")
        whole = size <= len(head)
        if (
            found is None
            or size != attachment.size
            or not filetypes.matches(attachment.content_type, head, whole=whole)
        ):
            storage.delete([attachment.key])
            _discard(db, attachment)
            raise UploadRejected()
        attachment.status = Status.READY
        attachment.completed_at = datetime.now(UTC)
        db.commit()
    return AttachmentResponse.model_validate(attachment)


def download_url(db: Session, user: User, attachment_id: uuid.UUID) -> str:
    attachment, _ = _find(db, user, attachment_id, Action.READ_ATTACHMENTS)
    if attachment.status != Status.READY:
        raise NotReady()
    return storage.presign_get(
        attachment.key,
        filetypes.served_type(attachment.content_type),
        attachment.filename,
        inline=attachment.content_type in filetypes.INLINE,
        ttl_s=get_settings().download_url_ttl_s,
    )


def delete(db: Session, user: User, attachment_id: uuid.UUID) -> None:
    """The object first, then the row: a failed delete leaves the row to try again."""
    attachment, _ = _find(db, user, attachment_id, Action.DELETE_ATTACHMENTS, lock=True)
    storage.delete([attachment.key])
    _discard(db, attachment)
