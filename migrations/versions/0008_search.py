"""Full-text and substring search over a workspace's live documents, kept with the row.

Revision ID: 0008_search
Revises: 0007_documents
Create Date: 2026-12-03

- `document_search`: one row per live document (a trashed one has none), written by an
  AFTER trigger on documents in the same statement: its last change (the order of a page),
  the title weighted A and the body's first 1 MiB weighted D as a tsvector, in the
  workspace's `search_language` ('simple' or 'english'), and the same text for the
  substring pass. A change is searchable in the
  very next request.
- Chinese and Japanese are written without spaces between words; `mdc_search_spaced` puts
  a zero-width space around each of their characters before parsing, so each is a lexeme
  of its own and a query for 中文 becomes the phrase 中 <-> 文 (same transform on the query).
- Two GIN indexes, both leading with `workspace_id` (btree_gin), so one tenant's search
  never reads another's entries: the tsvector, and the trigrams (pg_trgm) of the text.

Why a table of its own, without row-level security: under a policy the planner may not
evaluate an operator that is not leakproof (`@@`, ILIKE) inside an index scan, ahead of the
policy, so on `documents` every search would read the whole workspace row by row. Its rows
are only ever read by the search query, which takes the workspace from the caller's access
and joins each hit to `documents`, where the policies stand: a row of a workspace the
caller is not in is never returned, even by a query that forgot the workspace condition.

pg_trgm and btree_gin are trusted extensions: the database's owner creates them, no
superuser needed (RDS for PostgreSQL ships both).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_search"
down_revision: str | None = "0007_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Han (with extensions A and the compatibility block), kana and the CJK punctuation block.
CJK = r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"

FUNCTIONS = rf"""
CREATE FUNCTION mdc_search_spaced(body text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(body, '({CJK})', U&'\200B' || '\1' || U&'\200B', 'g')
$$;

CREATE FUNCTION mdc_search_vector(config regconfig, title text, body text) RETURNS tsvector
LANGUAGE plpgsql STABLE STRICT AS $$
BEGIN
    RETURN setweight(to_tsvector(config, mdc_search_spaced(title)), 'A')
        || setweight(to_tsvector(config, mdc_search_spaced(left(body, 1048576))), 'D');
EXCEPTION WHEN program_limit_exceeded THEN
    -- A tsvector holds at most 1 MB: a body of that many distinct words indexes its start.
    RETURN setweight(to_tsvector(config, mdc_search_spaced(title)), 'A')
        || setweight(to_tsvector(config, mdc_search_spaced(left(body, 65536))), 'D');
END
$$;

CREATE FUNCTION mdc_documents_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.trashed_at IS NOT NULL THEN
        DELETE FROM document_search WHERE document_id = NEW.id;
        RETURN NULL;
    END IF;
    INSERT INTO document_search
        (document_id, workspace_id, updated_at, search_vector, search_text)
    VALUES (
        NEW.id,
        NEW.workspace_id,
        NEW.updated_at,
        mdc_search_vector(
            coalesce((SELECT w.search_language FROM workspaces w WHERE w.id = NEW.workspace_id),
                     'simple')::regconfig,
            NEW.title, NEW.content),
        NEW.title || E'\n' || left(NEW.content, 1048576))
    ON CONFLICT (document_id) DO UPDATE
       SET updated_at = EXCLUDED.updated_at, search_vector = EXCLUDED.search_vector,
           search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;

-- updated_at too: search orders a page by it before it joins the page to documents.
CREATE TRIGGER documents_search
    AFTER INSERT OR UPDATE OF title, content, trashed_at, updated_at
    ON documents FOR EACH ROW EXECUTE FUNCTION mdc_documents_search();
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.add_column(
        "workspaces",
        sa.Column("search_language", sa.String(20), server_default="simple", nullable=False),
    )
    op.create_check_constraint(
        "ck_workspaces_search_language", "workspaces", "search_language IN ('simple', 'english')"
    )
    op.create_table(
        "document_search",
        sa.Column(
            "document_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "workspace_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
    )
    op.execute(FUNCTIONS)
    # The owner's own statement, not a member's: lift FORCE for it, inside this transaction.
    op.execute("ALTER TABLE documents NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE workspaces NO FORCE ROW LEVEL SECURITY")
    op.execute("UPDATE documents SET title = title WHERE trashed_at IS NULL")
    op.execute("ALTER TABLE workspaces FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE documents FORCE ROW LEVEL SECURITY")
    op.create_index(
        "ix_document_search_words",
        "document_search",
        ["workspace_id", "search_vector"],
        postgresql_using="gin",
    )
    op.create_index(
        "ix_document_search_trigrams",
        "document_search",
        ["workspace_id", "search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER documents_search ON documents")
    op.execute("DROP FUNCTION mdc_documents_search()")
    op.execute("DROP FUNCTION mdc_search_vector(regconfig, text, text)")
    op.execute("DROP FUNCTION mdc_search_spaced(text)")
    op.drop_table("document_search")
    op.drop_constraint("ck_workspaces_search_language", "workspaces")
    op.drop_column("workspaces", "search_language")
