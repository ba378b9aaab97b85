"""The scheduled purge: objects and rows of uploads never completed, and of discarded
attachments (refused, deleted, or in a deleted workspace) whose upload fields have expired.

It acts for no user. Row-level security lets it see only such rows (pending and discarded
ones, never a ready attachment of a live workspace) and only while it presents
`mdc.purge` in its transaction (see the attachments migration); it takes no row locks (a
lock needs the UPDATE policy it does not have). Two purges at once delete the same objects
and rows twice, which S3 and Postgres both take as done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, or_, select, text
from sqlalchemy.orm import Session

from ..core.config import get_settings
from . import storage
from .models import Attachment, Status, object_key

BATCH = 1000  # S3's DeleteObjects takes at most 1000 keys
_PRESENT_PURGE = text("SELECT set_config('mdc.purge', 'on', true)")


@dataclass(frozen=True)
class Purged:
    objects: int


def _due(now: datetime) -> object:
    stale = now - timedelta(hours=get_settings().pending_upload_max_age_h)
    return or_(
        and_(Attachment.status == Status.PENDING, Attachment.created_at < stale),
        and_(Attachment.status == Status.DISCARDED, Attachment.expires_at < now),
    )


def purge(db: Session, now: datetime | None = None, batches: int = 100) -> Purged:
    """Delete what is due at `now`, a batch at a time: objects first, then their rows."""
    now = now or datetime.now(UTC)
    count = 0
    for _ in range(batches):
        db.execute(_PRESENT_PURGE)
        rows = db.execute(
            select(Attachment.id, Attachment.workspace_id)
            .where(_due(now))  # type: ignore[arg-type]
            .order_by(Attachment.created_at)
            .limit(BATCH)
        ).all()
        if not rows:
            db.commit()
            break
        storage.delete([object_key(row.workspace_id, row.id) for row in rows])
        db.execute(delete(Attachment).where(Attachment.id.in_([row.id for row in rows])))
        db.commit()
        count += len(rows)
    return Purged(objects=count)
