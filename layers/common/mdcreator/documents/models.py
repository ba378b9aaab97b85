"""Documents, their revisions and share links. The schema and its row-level security policies
are owned by the Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.orm import Base, Timestamp

LIVE = text("trashed_at IS NULL")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        # Keyset pages, newest change first: a workspace's live documents, and one level.
        Index("ix_documents_listing", "workspace_id", "updated_at", "id", postgresql_where=LIVE),
        Index(
            "ix_documents_children",
            "workspace_id",
            "parent_id",
            "updated_at",
            "id",
            postgresql_where=LIVE,
        ),
        Index(
            "ix_documents_trash",
            "workspace_id",
            "trashed_at",
            "id",
            postgresql_where=text("trashed_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # A purged parent leaves what was restored out of its subtree at the top level.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # In the trash since; trash_root is the document whose deletion put it there, so a
    # restore brings back exactly what went with it.
    trashed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trash_root: Mapped[uuid.UUID | None] = mapped_column()
    trashed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class DocumentSearch(Base):
    """What search reads of a live document, written by the database (trigger
    documents_search, migration 0008, which says why this table has no row-level
    security); only documents.search reads it, always joined to documents."""

    __tablename__ = "document_search"
    __table_args__ = (
        Index("ix_document_search_words", "workspace_id", "search_vector", postgresql_using="gin"),
        Index(
            "ix_document_search_trigrams",
            "workspace_id",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    search_vector: Mapped[str] = mapped_column(TSVECTOR)
    search_text: Mapped[str] = mapped_column(Text)


class Revision(Base):
    """A document's title and content as of `version`, zlib-compressed."""

    __tablename__ = "revisions"

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    content_z: Mapped[bytes] = mapped_column(LargeBinary)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The first save this revision holds: later saves by the same author within
    # REVISION_COALESCE_S of it fold into it.
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class Share(Base):
    """A public read-only link to a document; only the token's sha256 is stored."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_document", "document_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[Timestamp]
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
