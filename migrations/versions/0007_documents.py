"""Documents, revisions and share links, with row-level security forced like the workspaces'.

Revision ID: 0007_documents
Revises: 0006_attachments
Create Date: 2026-12-03

Every table here carries workspace_id and is visible to the members of its live workspace
(mdc_workspace_ids(), keyed to mdc.user_id as in 0004). Two narrow ways in besides:

- a share link: the public route sets the transaction-local `mdc.share` to the sha256 of the
  presented token; the share row with that digest, its document and its workspace become
  readable (SELECT only). Knowing a digest takes knowing the token.
- the purge: mdc_purge_documents() turns `mdc.purge` on for its own statement, which admits
  SELECT and DELETE of documents that are already in the trash or in a deleted workspace,
  never a live document of a live workspace. The functions connect as one role that also
  owns the tables (FORCE binds it), so neither a SECURITY DEFINER function nor a role check
  can tell the purge from a request; what this bounds is what the setting reaches. Revisions
  and shares go with their document through ON DELETE CASCADE (referential actions are not
  subject to row-level security).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_documents"
down_revision: str | None = "0006_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("documents", "revisions", "shares")
MEMBERS = "workspace_id = ANY ((SELECT mdc_workspace_ids())::uuid[])"
SHARED = "current_setting('mdc.share', true)"

POLICIES = f"""
CREATE FUNCTION mdc_purging() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('mdc.purge', true), '') = 'on'
$$;

CREATE POLICY tenant ON documents USING ({MEMBERS}) WITH CHECK ({MEMBERS});
CREATE POLICY tenant ON revisions USING ({MEMBERS}) WITH CHECK ({MEMBERS});
CREATE POLICY tenant ON shares USING ({MEMBERS}) WITH CHECK ({MEMBERS});

CREATE POLICY shared_reads ON shares FOR SELECT USING (token_hash = {SHARED});
CREATE POLICY shared_reads ON documents FOR SELECT USING (
    id IN (SELECT s.document_id FROM shares s WHERE s.token_hash = {SHARED}));
-- CASE, evaluated in order: inside mdc_workspace_ids() (which reads workspaces, and which
-- the shares policy calls) this branch never queries shares, so the policies end.
CREATE POLICY shared_reads ON workspaces FOR SELECT USING (
    CASE WHEN current_setting('mdc.own_memberships_only', true) = 'on'
              OR coalesce({SHARED}, '') = '' THEN false
         ELSE id IN (SELECT s.workspace_id FROM shares s WHERE s.token_hash = {SHARED}) END);

CREATE POLICY purge_reads ON workspaces FOR SELECT USING (mdc_purging() AND deleted_at IS NOT NULL);
CREATE POLICY purge_reads ON documents FOR SELECT USING (mdc_purging() AND (
    trashed_at IS NOT NULL
    OR workspace_id IN (SELECT w.id FROM workspaces w WHERE w.deleted_at IS NOT NULL)));
CREATE POLICY purge_deletes ON documents FOR DELETE USING (mdc_purging() AND (
    trashed_at IS NOT NULL
    OR workspace_id IN (SELECT w.id FROM workspaces w WHERE w.deleted_at IS NOT NULL)));

-- Documents in the trash for longer than `retention`, and every document of a workspace
-- deleted that long ago: gone for good, with their revisions and shares. Returns how many.
CREATE FUNCTION mdc_purge_documents(retention interval) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    purged integer;
BEGIN
    IF retention < interval '1 day' THEN
        RAISE EXCEPTION 'retention % is below one day', retention;
    END IF;
    PERFORM set_config('mdc.purge', 'on', true);
    DELETE FROM documents d
     WHERE d.trashed_at < now() - retention
        OR d.workspace_id IN (SELECT w.id FROM workspaces w WHERE w.deleted_at < now() - retention);
    GET DIAGNOSTICS purged = ROW_COUNT;
    PERFORM set_config('mdc.purge', '', true);
    RETURN purged;
END
$$;
"""


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=None if nullable else sa.text("now()"),
        nullable=nullable,
    )


def _uuid(
    name: str, target: str | None = None, ondelete: str = "SET NULL", **kw: object
) -> sa.Column[object]:
    args: list[object] = [sa.ForeignKey(target, ondelete=ondelete)] if target else []
    return sa.Column(name, postgresql.UUID(as_uuid=True), *args, **kw)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "documents",
        _uuid("id", primary_key=True),
        _uuid("workspace_id", "workspaces.id", "CASCADE", nullable=False),
        _uuid("parent_id", "documents.id", nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _uuid("created_by", "users.id", nullable=True),
        _uuid("updated_by", "users.id", nullable=True),
        _timestamp("trashed_at", nullable=True),
        _uuid("trash_root", nullable=True),
        _uuid("trashed_by", "users.id", nullable=True),
    )
    live = sa.text("trashed_at IS NULL")
    op.create_index(
        "ix_documents_listing",
        "documents",
        ["workspace_id", "updated_at", "id"],
        postgresql_where=live,
    )
    op.create_index(
        "ix_documents_children",
        "documents",
        ["workspace_id", "parent_id", "updated_at", "id"],
        postgresql_where=live,
    )
    op.create_index(
        "ix_documents_trash",
        "documents",
        ["workspace_id", "trashed_at", "id"],
        postgresql_where=sa.text("trashed_at IS NOT NULL"),
    )
    op.create_table(
        "revisions",
        _uuid("document_id", "documents.id", "CASCADE", primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        _uuid("workspace_id", "workspaces.id", "CASCADE", nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("content_z", sa.LargeBinary(), nullable=False),
        _uuid("author_id", "users.id", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_table(
        "shares",
        _uuid("id", primary_key=True),
        _uuid("document_id", "documents.id", "CASCADE", nullable=False),
        _uuid("workspace_id", "workspaces.id", "CASCADE", nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _uuid("created_by", "users.id", nullable=True),
        _timestamp("created_at"),
        _timestamp("expires_at", nullable=True),
        _timestamp("revoked_at", nullable=True),
    )
    op.create_index("ix_shares_document", "shares", ["document_id", "created_at", "id"])
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(POLICIES)


def downgrade() -> None:
    op.execute("DROP FUNCTION mdc_purge_documents(interval)")
    op.execute("DROP POLICY purge_reads ON workspaces")
    op.execute("DROP POLICY shared_reads ON workspaces")
    op.execute("DROP POLICY shared_reads ON documents")
    op.drop_table("shares")
    op.drop_table("revisions")
    op.drop_table("documents")
    op.execute("DROP FUNCTION mdc_purging()")
