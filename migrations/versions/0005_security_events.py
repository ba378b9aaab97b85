"""Security events: an append-only history of each account.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Append-only in the database itself, whatever the application does: a trigger refuses every
UPDATE, TRUNCATE and any DELETE except the retention purge's. The purge sets
mdcreator.security_events_purge_before for its own transaction (set_config(..., true)) and
may then delete rows older than that moment only, and only if the moment is at least a day
back: no setting can make it erase recent history. One database role serves every function,
so privileges alone could not tell the purge from a request; the trigger can.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUARD = """
CREATE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  purge_before timestamptz := nullif(
    current_setting('mdcreator.security_events_purge_before', true), '')::timestamptz;
BEGIN
  IF TG_OP = 'DELETE' AND purge_before IS NOT NULL THEN
    IF purge_before <= now() - interval '1 day' AND OLD.occurred_at < purge_before THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'security_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def upgrade() -> None:
    op.create_table(
        "security_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_security_events_user_id_occurred_at",
        "security_events",
        ["user_id", "occurred_at", "id"],
    )
    op.create_index("ix_security_events_occurred_at", "security_events", ["occurred_at"])
    op.execute(GUARD)
    op.execute(
        "CREATE TRIGGER security_events_no_change BEFORE UPDATE OR DELETE ON security_events "
        "FOR EACH ROW EXECUTE FUNCTION security_events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER security_events_no_truncate BEFORE TRUNCATE ON security_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION security_events_append_only()"
    )


def downgrade() -> None:
    op.drop_table("security_events")  # its triggers go with it
    op.execute("DROP FUNCTION security_events_append_only()")
