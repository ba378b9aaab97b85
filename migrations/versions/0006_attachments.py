"""Attachments, with row-level security forced like every tenant table.

Revision ID: 0006_attachments
Revises: 0005
Create Date: 2026-12-03

Members of a live workspace see its attachments (mdc_workspace_ids(), as for invitations).
The scheduled purge acts for no user: while it presents `mdc.purge` it sees, and may delete,
pending and discarded rows only, never a ready attachment of a live workspace.

Deleting a workspace (soft) discards its attachments in the same statement (a BEFORE
trigger, while the caller can still see them), so the purge removes their objects; the
foreign key has no cascade, so a workspace row cannot disappear with objects left behind.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_attachments"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = """
CREATE POLICY tenant ON attachments
    USING (workspace_id = ANY ((SELECT mdc_workspace_ids())::uuid[]));
CREATE POLICY purge_reads ON attachments FOR SELECT
    USING (current_setting('mdc.purge', true) = 'on' AND status IN ('pending', 'discarded'));
CREATE POLICY purge_deletes ON attachments FOR DELETE
    USING (current_setting('mdc.purge', true) = 'on' AND status IN ('pending', 'discarded'));
"""

WORKSPACE_DELETION = """
CREATE FUNCTION mdc_discard_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE attachments SET status = 'discarded', expires_at = greatest(expires_at, now())
     WHERE workspace_id = NEW.id AND status <> 'discarded';
    RETURN NEW;
END
$$;

CREATE TRIGGER discard_attachments_on_workspace_deletion
    BEFORE UPDATE OF deleted_at ON workspaces FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION mdc_discard_attachments();
"""


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "workspace_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("workspaces.id"),
            nullable=False,
        ),
        sa.Column(
            "uploaded_by",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'ready', 'discarded')", name="ck_attachments_status"
        ),
        sa.CheckConstraint("size > 0", name="ck_attachments_size"),
    )
    # Keyset pages of a workspace's attachments, and the quota's sum over them.
    op.create_index(
        "ix_attachments_workspace_created", "attachments", ["workspace_id", "created_at", "id"]
    )
    op.execute("ALTER TABLE attachments ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE attachments FORCE ROW LEVEL SECURITY")
    op.execute(POLICIES)
    op.execute(WORKSPACE_DELETION)


def downgrade() -> None:
    op.execute("DROP TRIGGER discard_attachments_on_workspace_deletion ON workspaces")
    op.execute("DROP FUNCTION mdc_discard_attachments()")
    op.drop_table("attachments")
