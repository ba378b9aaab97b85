"""Share links: a document readable by anyone holding the token, until revoked or expired.

The token is shown once; the database keeps its sha256. The public route presents the
digest to row-level security (`mdc.share`), which opens exactly that share, its document
and its workspace for reading; everything else stays closed to it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from ..auth.models import User
from ..core.config import get_settings
from ..infra import pagination, ratelimit
from ..infra.db import act_as
from ..infra.redis import fail_closed, key
from ..workspaces import service as workspaces
from ..workspaces.errors import WorkspaceNotFound
from ..workspaces.permissions import Action
from .errors import ShareNotFound
from .models import Share
from .schemas import ShareCreated, SharePage, ShareSummary
from .service import DocumentAccess

TOKEN_BYTES = 32
# A token is 43 URL-safe characters; anything far off is not one (and is not hashed).
TOKEN_LENGTH = range(20, 100)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share(entry: DocumentAccess, expires_in_days: int | None) -> ShareCreated:
    entry.require(Action.SHARE_DOCUMENTS)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = (
        None if expires_in_days is None else datetime.now(UTC) + timedelta(days=expires_in_days)
    )
    share = Share(
        document_id=entry.document.id,
        workspace_id=entry.document.workspace_id,
        token_hash=digest(token),
        created_by=entry.user.id,
        expires_at=expires_at,
    )
    entry.db.add(share)
    entry.db.commit()
    url = f"{get_settings().app_url.rstrip('/')}/s/{token}"
    return ShareCreated(id=share.id, url=url, token=token, expires_at=expires_at)


def list_shares(entry: DocumentAccess, limit: int, cursor: str | None) -> SharePage:
    """The document's links that are not revoked (expired ones too, with their date)."""
    entry.require(Action.SHARE_DOCUMENTS)
    query = (
        select(Share)
        .where(Share.document_id == entry.document.id, Share.revoked_at.is_(None))
        .order_by(Share.created_at, Share.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        position = pagination.decode(cursor)
        query = query.where(tuple_(Share.created_at, Share.id) > tuple_(position.at, position.id))
    rows = list(entry.db.scalars(query))
    items = [ShareSummary.model_validate(share) for share in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = pagination.encode(pagination.Position(last.created_at, last.id))
    return SharePage(items=items, next_cursor=next_cursor)


def revoke_share(db: Session, user: User, share_id: uuid.UUID) -> None:
    """Revoke a link of a document in a workspace of the caller's (editor+); else 404."""
    act_as(db, user.id)
    share = db.scalar(select(Share).where(Share.id == share_id, Share.revoked_at.is_(None)))
    if share is None:
        raise ShareNotFound()
    try:
        entry = workspaces.access(db, user, share.workspace_id)
    except WorkspaceNotFound:
        raise ShareNotFound() from None
    entry.require(Action.SHARE_DOCUMENTS)
    share.revoked_at = datetime.now(UTC)
    db.commit()


def parse_share_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ShareNotFound() from None


@fail_closed
def limit_client(ip: str) -> None:
    settings = get_settings()
    window = key("share-ip", f"{{{ip}}}")
    ratelimit.check_window(window, settings.share_ip_max, settings.share_ip_window_s, record=True)


_SHARED = text("""
    SELECT d.title, d.content, d.updated_at
      FROM shares s
      JOIN documents d ON d.id = s.document_id AND d.trashed_at IS NULL
      JOIN workspaces w ON w.id = d.workspace_id AND w.deleted_at IS NULL
     WHERE s.token_hash = :digest AND s.revoked_at IS NULL
       AND (s.expires_at IS NULL OR s.expires_at > now())
""")


def read_shared(db: Session, token: str) -> tuple[str, str, datetime]:
    """The shared document's title, markdown and last change; anything amiss is one 404."""
    if len(token) not in TOKEN_LENGTH:
        raise ShareNotFound()
    hashed = digest(token)
    db.execute(text("SELECT set_config('mdc.share', :digest, true)"), {"digest": hashed})
    row = db.execute(_SHARED, {"digest": hashed}).first()
    db.rollback()
    if row is None:
        raise ShareNotFound()
    return row.title, row.content, row.updated_at
