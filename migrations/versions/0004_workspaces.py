"""Workspaces, memberships and invitations, with row-level security keyed to the caller.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

The functions connect as an ordinary role that owns these tables; FORCE ROW LEVEL SECURITY
binds the owner too, so the policies hold for the very role that runs every query. The
caller is the transaction-local setting `mdc.user_id` (infra.db.act_as sets it at every
transaction begin of an authenticated request); without it a tenant table shows nothing.

A policy on memberships cannot query memberships (Postgres refuses the recursion when it
expands policies), so the caller's workspaces come from mdc_workspace_ids(), a function run
at execution time. Inside it the setting `mdc.own_memberships_only` narrows the memberships
policy to the caller's own rows, which ends the recursion; a caller that sets it only ever
sees less.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "role IN ('owner', 'admin', 'editor', 'viewer')"
TENANT_TABLES = ("workspaces", "memberships", "invitations")

FUNCTIONS = """
CREATE FUNCTION mdc_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('mdc.user_id', true), '')::uuid
$$;

CREATE FUNCTION mdc_workspace_ids() RETURNS uuid[] LANGUAGE plpgsql STABLE AS $$
DECLARE
    saved text := coalesce(current_setting('mdc.own_memberships_only', true), '');
    ids uuid[];
BEGIN
    PERFORM set_config('mdc.own_memberships_only', 'on', true);
    SELECT coalesce(array_agg(m.workspace_id), '{}') INTO ids
      FROM memberships m JOIN workspaces w ON w.id = m.workspace_id AND w.deleted_at IS NULL
     WHERE m.user_id = mdc_user_id();
    PERFORM set_config('mdc.own_memberships_only', saved, true);
    RETURN ids;
END
$$;
"""

POLICIES = """
CREATE POLICY member_reads ON workspaces FOR SELECT USING (
    EXISTS (SELECT 1 FROM memberships m
             WHERE m.workspace_id = workspaces.id AND m.user_id = mdc_user_id()));
CREATE POLICY member_updates ON workspaces FOR UPDATE USING (
    EXISTS (SELECT 1 FROM memberships m
             WHERE m.workspace_id = workspaces.id AND m.user_id = mdc_user_id()));
CREATE POLICY creator_inserts ON workspaces FOR INSERT WITH CHECK (created_by = mdc_user_id());

-- CASE, not OR: its branches are evaluated in order, so inside mdc_workspace_ids() the
-- function is never called again.
CREATE POLICY tenant ON memberships
    USING (CASE WHEN current_setting('mdc.own_memberships_only', true) = 'on'
                THEN user_id = mdc_user_id()
                ELSE user_id = mdc_user_id()
                     OR workspace_id = ANY ((SELECT mdc_workspace_ids())::uuid[]) END)
    WITH CHECK (user_id = mdc_user_id()
                OR workspace_id = ANY ((SELECT mdc_workspace_ids())::uuid[]));

-- An invitation is visible to its workspace's members, and to whoever presents its token
-- (the accept route sets mdc.invitation to the token's digest).
CREATE POLICY tenant ON invitations
    USING (workspace_id = ANY ((SELECT mdc_workspace_ids())::uuid[])
           OR token_hash = current_setting('mdc.invitation', true));
"""

# Deleting an account (auth soft-deletes the users row) ends its memberships, and a live
# workspace whose only owner it was goes with it. In the database, so the rule holds for
# every path that deletes an account and auth knows nothing of workspaces. The trigger acts
# as the departing account (mdc.user_id), whose rows these are, and locks the workspaces it
# owns first, so a co-owner leaving at the same moment is ordered with it.
ACCOUNT_DELETION = """
CREATE FUNCTION mdc_leave_workspaces() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    saved text := coalesce(current_setting('mdc.user_id', true), '');
BEGIN
    PERFORM set_config('mdc.user_id', NEW.id::text, true);
    PERFORM 1 FROM workspaces w
      JOIN memberships m ON m.workspace_id = w.id AND m.user_id = NEW.id AND m.role = 'owner'
     ORDER BY w.id FOR UPDATE OF w;
    UPDATE workspaces SET deleted_at = now(), updated_at = now()
     WHERE deleted_at IS NULL AND id IN (
        SELECT m.workspace_id FROM memberships m
         WHERE m.user_id = NEW.id AND m.role = 'owner'
           AND NOT EXISTS (SELECT 1 FROM memberships o
                            WHERE o.workspace_id = m.workspace_id AND o.role = 'owner'
                              AND o.user_id <> NEW.id));
    DELETE FROM memberships WHERE user_id = NEW.id;
    PERFORM set_config('mdc.user_id', saved, true);
    RETURN NEW;
END
$$;

CREATE TRIGGER leave_workspaces_on_account_deletion
    AFTER UPDATE OF deleted_at ON users FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION mdc_leave_workspaces();
"""


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=None if nullable else sa.text("now()"),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column(
            "created_by",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("deleted_at", nullable=True),
    )
    op.create_table(
        "memberships",
        sa.Column(
            "workspace_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("role", sa.String(10), nullable=False),
        _timestamp("joined_at"),
        sa.CheckConstraint(ROLES, name="ck_memberships_role"),
    )
    # Keyset pages: a user's workspaces, and a workspace's members, in the order they joined.
    op.create_index(
        "ix_memberships_user_joined", "memberships", ["user_id", "joined_at", "workspace_id"]
    )
    op.create_index(
        "ix_memberships_workspace_joined", "memberships", ["workspace_id", "joined_at", "user_id"]
    )
    op.create_table(
        "invitations",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "workspace_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "invited_by",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        _timestamp("created_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _timestamp("accepted_at", nullable=True),
        sa.Column(
            "accepted_by",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        _timestamp("revoked_at", nullable=True),
        sa.CheckConstraint(ROLES + " AND role <> 'owner'", name="ck_invitations_role"),
    )
    # One open invitation per address and workspace: inviting again replaces its link.
    op.create_index(
        "uq_invitations_open",
        "invitations",
        ["workspace_id", sa.text("lower(email)")],
        unique=True,
        postgresql_where=sa.text("accepted_at IS NULL AND revoked_at IS NULL"),
    )
    op.execute(FUNCTIONS)
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(POLICIES)
    op.execute(ACCOUNT_DELETION)


def downgrade() -> None:
    op.execute("DROP TRIGGER leave_workspaces_on_account_deletion ON users")
    op.execute("DROP FUNCTION mdc_leave_workspaces()")
    op.drop_table("invitations")
    op.execute("DROP POLICY member_reads ON workspaces")
    op.execute("DROP POLICY member_updates ON workspaces")
    op.drop_table("memberships")
    op.drop_table("workspaces")
    op.execute("DROP FUNCTION mdc_workspace_ids()")
    op.execute("DROP FUNCTION mdc_user_id()")
