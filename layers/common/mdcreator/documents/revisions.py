"""Revisions: a document's title and content as of a version, each stored whole and
zlib-compressed (no chain of deltas to replay or to break; one row restores alone).

Storage stays bounded by folding: a save by the author of the document's last revision
within REVISION_COALESCE_S of that revision's first save replaces it (it then holds the new
version), so an autosaving editor leaves one revision per author per window, not one per
keystroke. A restore always starts a new revision, so the state it replaces is kept.
"""

from __future__ import annotations

import difflib
import uuid
import zlib
from dataclasses import dataclass

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from ..auth.models import User
from ..core.config import get_settings
from ..infra.pagination import InvalidCursor
from .errors import RevisionNotFound
from .models import Document, Revision
from .schemas import Author, RevisionPage, RevisionResponse, RevisionSummary

COMPRESSION_LEVEL = 6


def compress(content: str) -> bytes:
    return zlib.compress(content.encode(), COMPRESSION_LEVEL)


def decompress(blob: bytes) -> str:
    return zlib.decompress(blob).decode()


_LAST = text("""
    SELECT version, author_id,
           created_at >= now() - make_interval(secs => :window) AS recent
      FROM revisions WHERE document_id = :document
     ORDER BY version DESC LIMIT 1
""")


def record(db: Session, document: Document, author: uuid.UUID, *, fold: bool = True) -> None:
    """Record the document's current title and content as the revision of its version.

    Runs in the transaction that changed the document, whose row lock orders the revisions
    of parallel saves."""
    window = get_settings().revision_coalesce_s
    last = db.execute(_LAST, {"document": document.id, "window": window}).first()
    blob = compress(document.content)
    if fold and last is not None and last.author_id == author and last.recent:
        db.execute(
            update(Revision)
            .where(Revision.document_id == document.id, Revision.version == last.version)
            .values(
                version=document.version,
                title=document.title,
                content_z=blob,
                updated_at=func.now(),
            )
            .execution_options(synchronize_session=False)
        )
        return
    db.add(
        Revision(
            document_id=document.id,
            version=document.version,
            workspace_id=document.workspace_id,
            title=document.title,
            content_z=blob,
            author_id=author,
        )
    )
    db.flush()


@dataclass(frozen=True)
class Stored:
    version: int
    title: str
    content: str


def read(db: Session, document_id: uuid.UUID, version: int) -> Stored:
    row = db.execute(
        select(Revision.version, Revision.title, Revision.content_z).where(
            Revision.document_id == document_id, Revision.version == version
        )
    ).first()
    if row is None:
        raise RevisionNotFound()
    return Stored(row.version, row.title, decompress(row.content_z))


def _summary_query(document_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return (
        select(
            Revision.version,
            Revision.title,
            Revision.created_at,
            Revision.author_id,
            User.display_name,
        )
        .outerjoin(User, User.id == Revision.author_id)
        .where(Revision.document_id == document_id)
    )


def _summary(row) -> RevisionSummary:  # type: ignore[no-untyped-def]
    return RevisionSummary(
        version=row.version,
        title=row.title,
        created_at=row.created_at,
        author=Author(user_id=row.author_id, display_name=row.display_name),
    )


def list_revisions(
    db: Session, document_id: uuid.UUID, limit: int, cursor: str | None
) -> RevisionPage:
    """Newest first; the cursor is the last version of the page."""
    query = _summary_query(document_id).order_by(Revision.version.desc()).limit(limit + 1)
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 10:
            raise InvalidCursor()
        query = query.where(Revision.version < int(cursor))
    rows = db.execute(query).all()
    items = [_summary(row) for row in rows[:limit]]
    next_cursor = str(rows[limit - 1].version) if len(rows) > limit else None
    return RevisionPage(items=items, next_cursor=next_cursor)


def get_revision(db: Session, document_id: uuid.UUID, version: int) -> RevisionResponse:
    row = db.execute(
        _summary_query(document_id)
        .add_columns(Revision.content_z)
        .where(Revision.version == version)
    ).first()
    if row is None:
        raise RevisionNotFound()
    return RevisionResponse(**_summary(row).model_dump(), content=decompress(row.content_z))


def diff(db: Session, document_id: uuid.UUID, version: int, against: int) -> str:
    """A unified diff from revision `against` to revision `version`."""
    old, new = read(db, document_id, against), read(db, document_id, version)
    lines = difflib.unified_diff(
        old.content.splitlines(keepends=True),
        new.content.splitlines(keepends=True),
        fromfile=f"v{old.version}",
        tofile=f"v{new.version}",
    )
    return "".join(lines)
