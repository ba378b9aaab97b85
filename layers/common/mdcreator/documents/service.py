"""Documents in a workspace's tree, and the trash. Raises domain errors only.

Every function acts as its caller for row-level security and asks the permission table.
A change is one conditional UPDATE (`WHERE id = :id AND version = :v`): of parallel
changes made on the same version exactly one matches, the others find no row and answer
412; nothing read earlier in the request is written back, so no change is lost.

Changes of the tree (create, move, trash, restore) take the workspace's tree lock (a
transaction-level advisory lock), so two moves cannot make a cycle between them and two
creations cannot both pass the document count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.orm import Session

from ..auth.models import User
from ..core.config import get_settings
from ..infra import pagination
from ..infra.db import act_as
from ..workspaces import permissions
from ..workspaces.models import Membership, Workspace
from ..workspaces.permissions import Action, Role
from ..workspaces.service import Access
from . import revisions
from .errors import (
    DocumentChanged,
    DocumentNotFound,
    DocumentTooLarge,
    InvalidParent,
    TooManyDocuments,
)
from .models import Document
from .schemas import (
    DocumentCreate,
    DocumentPage,
    DocumentSummary,
    DocumentUpdate,
    TrashedDocument,
    TrashPage,
)


@dataclass(frozen=True)
class DocumentAccess:
    """A document of a live workspace the caller is a member of, and the caller's role."""

    db: Session
    user: User
    document: Document
    role: Role

    def require(self, action: Action) -> None:
        permissions.require(self.role, action)


def parse_id(value: str) -> uuid.UUID:
    """A path's id; one that is not a UUID is as absent as any other (404, not 422)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise DocumentNotFound() from None


def parse_parent(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidParent() from None


def open_document(
    db: Session, user: User, document_id: uuid.UUID, *, trashed: bool = False
) -> DocumentAccess:
    """The caller's access to a live document (or, with `trashed`, one in the trash), read in
    one query with the caller's role; anything else is the same 404."""
    act_as(db, user.id)
    query = (
        select(Document, Membership.role)
        .join(Workspace, Workspace.id == Document.workspace_id)
        .join(
            Membership,
            (Membership.workspace_id == Document.workspace_id) & (Membership.user_id == user.id),
        )
        .where(
            Document.id == document_id,
            Workspace.deleted_at.is_(None),
            Document.trashed_at.is_not(None) if trashed else Document.trashed_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )
    row = db.execute(query).first()
    if row is None:
        raise DocumentNotFound()
    return DocumentAccess(db, user, row[0], Role(row[1]))


def _check_size(content: str) -> None:
    limit = get_settings().max_document_bytes
    # A character is at most four bytes: most documents need no encoding to pass.
    if len(content) * 4 > limit and len(content.encode()) > limit:
        raise DocumentTooLarge()


def _lock_tree(db: Session, workspace_id: uuid.UUID) -> None:
    db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"tree:{workspace_id}", 0))))


def _live_count(db: Session, workspace_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(Document)
        .where(Document.workspace_id == workspace_id, Document.trashed_at.is_(None))
    )
    return db.scalar(query) or 0


_CYCLE = text("""
    WITH RECURSIVE up(id, parent_id) AS (
        SELECT id, parent_id FROM documents WHERE id = :parent
        UNION
        SELECT d.id, d.parent_id FROM documents d JOIN up ON d.id = up.parent_id
    )
    SELECT EXISTS (SELECT 1 FROM up WHERE id = :moving)
""")


def _check_parent(
    db: Session, workspace_id: uuid.UUID, parent_id: uuid.UUID, moving: uuid.UUID | None
) -> None:
    """Under the tree lock: the parent is a live document of this workspace and, for a move,
    neither the document itself nor one of its descendants."""
    parent = db.scalar(
        select(Document.id).where(
            Document.id == parent_id,
            Document.workspace_id == workspace_id,
            Document.trashed_at.is_(None),
        )
    )
    if parent is None:
        raise InvalidParent()
    if moving is not None and db.scalar(_CYCLE, {"parent": parent_id, "moving": moving}):
        raise InvalidParent()


def create_document(entry: Access, body: DocumentCreate) -> Document:
    entry.require(Action.CREATE_DOCUMENT)
    _check_size(body.content)
    db, workspace_id = entry.db, entry.workspace.id
    _lock_tree(db, workspace_id)
    if _live_count(db, workspace_id) >= get_settings().max_documents_per_workspace:
        raise TooManyDocuments()
    if body.parent_id is not None:
        _check_parent(db, workspace_id, body.parent_id, None)
    document = Document(
        workspace_id=workspace_id,
        parent_id=body.parent_id,
        title=body.title,
        content=body.content,
        version=1,
        created_by=entry.user.id,
        updated_by=entry.user.id,
    )
    db.add(document)
    db.flush()
    revisions.record(db, document, entry.user.id)
    db.commit()
    return document


def list_documents(
    entry: Access, parent_id: uuid.UUID | None, top_level: bool, limit: int, cursor: str | None
) -> DocumentPage:
    """Live documents, newest change first, keyset-paged; one level with `parent_id` (or
    the top level with `top_level`)."""
    entry.require(Action.READ_DOCUMENTS)
    query = (
        select(Document)
        .where(Document.workspace_id == entry.workspace.id, Document.trashed_at.is_(None))
        .order_by(Document.updated_at.desc(), Document.id.desc())
        .limit(limit + 1)
    )
    if parent_id is not None:
        query = query.where(Document.parent_id == parent_id)
    elif top_level:
        query = query.where(Document.parent_id.is_(None))
    if cursor is not None:
        position = pagination.decode(cursor)
        query = query.where(
            tuple_(Document.updated_at, Document.id) < tuple_(position.at, position.id)
        )
    rows = list(entry.db.scalars(query))
    items = [DocumentSummary.model_validate(d) for d in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = pagination.encode(pagination.Position(last.updated_at, last.id))
    return DocumentPage(items=items, next_cursor=next_cursor)


def _current_version(db: Session, document_id: uuid.UUID) -> int | None:
    return db.scalar(
        select(Document.version).where(Document.id == document_id, Document.trashed_at.is_(None))
    )


def _apply(entry: DocumentAccess, expected: int | None, values: dict[str, object]) -> Document:
    """THE conditional update: the new values and version + 1, only if the stored version is
    still `expected`; else 412 naming the current one (404 if the document went)."""
    document = entry.document
    changed = entry.db.execute(
        update(Document)
        .where(
            Document.id == document.id,
            Document.version == expected,
            Document.trashed_at.is_(None),
        )
        .values(
            **values,
            version=Document.version + 1,
            updated_at=func.now(),
            updated_by=entry.user.id,
        )
        .returning(Document)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).scalar_one_or_none()
    if changed is None:
        entry.db.rollback()
        current = _current_version(entry.db, document.id)
        if current is None:
            raise DocumentNotFound()
        raise DocumentChanged(current)
    return changed


def update_document(entry: DocumentAccess, expected: int | None, body: DocumentUpdate) -> Document:
    entry.require(Action.EDIT_DOCUMENT)
    values: dict[str, object] = {}
    if body.title is not None:
        values["title"] = body.title
    if body.content is not None:
        _check_size(body.content)
        values["content"] = body.content
    if "parent_id" in body.model_fields_set:
        if body.parent_id is not None:
            _lock_tree(entry.db, entry.document.workspace_id)
            _check_parent(entry.db, entry.document.workspace_id, body.parent_id, entry.document.id)
        values["parent_id"] = body.parent_id
    before = (entry.document.title, entry.document.content)
    document = _apply(entry, expected, values)
    if (document.title, document.content) != before:
        revisions.record(entry.db, document, entry.user.id)
    entry.db.commit()
    return document


def restore_revision(entry: DocumentAccess, expected: int | None, version: int) -> Document:
    """A new version whose title and content are those of revision `version`."""
    entry.require(Action.EDIT_DOCUMENT)
    old = revisions.read(entry.db, entry.document.id, version)
    document = _apply(entry, expected, {"title": old.title, "content": old.content})
    revisions.record(entry.db, document, entry.user.id, fold=False)
    entry.db.commit()
    return document


_TRASH = text("""
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM documents WHERE id = :root AND trashed_at IS NULL
        UNION
        SELECT d.id FROM documents d JOIN subtree s ON d.parent_id = s.id
         WHERE d.trashed_at IS NULL
    )
    UPDATE documents SET trashed_at = now(), trash_root = :root, trashed_by = :user
     WHERE id IN (SELECT id FROM subtree)
""")


def trash_document(entry: DocumentAccess) -> None:
    """The document and its live descendants to the trash, in one statement."""
    entry.require(Action.DELETE_DOCUMENT)
    _lock_tree(entry.db, entry.document.workspace_id)
    entry.db.execute(_TRASH, {"root": entry.document.id, "user": entry.user.id})
    entry.db.commit()


_TRASHED_WITH = text("""
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM documents WHERE id = :id AND trashed_at IS NOT NULL
        UNION
        SELECT d.id FROM documents d JOIN subtree s ON d.parent_id = s.id
         WHERE d.trashed_at IS NOT NULL AND d.trash_root = :root
    )
    SELECT id FROM subtree
""")


def restore_document(entry: DocumentAccess) -> Document:
    """Back from the trash with what went there with it; to the top level if its parent is
    no longer a live document."""
    entry.require(Action.RESTORE_DOCUMENT)
    db, document = entry.db, entry.document
    _lock_tree(db, document.workspace_id)
    ids = list(db.scalars(_TRASHED_WITH, {"id": document.id, "root": document.trash_root}))
    if not ids:
        raise DocumentNotFound()
    limit = get_settings().max_documents_per_workspace
    if _live_count(db, document.workspace_id) + len(ids) > limit:
        raise TooManyDocuments()
    db.execute(
        update(Document)
        .where(Document.id.in_(ids))
        .values(trashed_at=None, trash_root=None, trashed_by=None)
        .execution_options(synchronize_session=False)
    )
    if document.parent_id is not None and _current_version(db, document.parent_id) is None:
        db.execute(
            update(Document)
            .where(Document.id == document.id)
            .values(parent_id=None)
            .execution_options(synchronize_session=False)
        )
    db.commit()
    return open_document(db, entry.user, document.id).document


def list_trash(entry: Access, limit: int, cursor: str | None) -> TrashPage:
    """What was deleted (each deletion's own document, not what went with it), newest first."""
    entry.require(Action.VIEW_TRASH)
    query = (
        select(Document)
        .where(
            Document.workspace_id == entry.workspace.id,
            Document.trashed_at.is_not(None),
            Document.trash_root == Document.id,
        )
        .order_by(Document.trashed_at.desc(), Document.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        position = pagination.decode(cursor)
        query = query.where(
            tuple_(Document.trashed_at, Document.id) < tuple_(position.at, position.id)
        )
    rows = list(entry.db.scalars(query))
    items = [TrashedDocument.model_validate(d) for d in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        assert last.trashed_at is not None
        next_cursor = pagination.encode(pagination.Position(last.trashed_at, last.id))
    return TrashPage(items=items, next_cursor=next_cursor)


def purge(db: Session) -> int:
    """Trash older than TRASH_RETENTION_DAYS, and the documents of workspaces deleted that
    long ago, gone for good (see migration 0006 for how this passes row-level security)."""
    days = get_settings().trash_retention_days
    purged = db.scalar(
        text("SELECT mdc_purge_documents(make_interval(days => :days))"), {"days": days}
    )
    db.commit()
    return int(purged or 0)


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version an If-Match names; None when it names none (a malformed value or a
    weak tag matches no version, so the change meets 412). Absent or `*`: 428."""
    from .errors import IfMatchRequired

    if value is None or value.strip() in ("", "*"):
        raise IfMatchRequired()
    tag = value.strip()
    if len(tag) > 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit() and len(tag) < 14:
        return int(tag[1:-1])
    return None
