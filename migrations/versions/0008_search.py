"""Full-text and substring search over a workspace's live documents, kept with the row.

Revision ID: 0008_search
Revises: 0007_documents
Create Date: 2026-12-03

- `documents.search_vector`: the title weighted A and the body's first 1 MiB weighted D,
  written by a BEFORE trigger on every insert and every change of title or content, so a
  change is searchable in the very next request. The trigger reads the text-search
  configuration from `workspaces.search_language` ('simple' or 'english').
- Chinese and Japanese are written without spaces between words; `mdc_search_spaced` puts
  a zero-width space around each of their characters before parsing, so each is a lexeme
  of its own and a query for 中文 becomes the phrase 中 <-> 文 (same transform on the query).
- Two GIN indexes, both partial to live documents and both leading with `workspace_id`
  (btree_gin), so one tenant's search never reads another's entries: the tsvector, and the
  trigrams (pg_trgm) of title + body for the substring pass (half words).

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

-- What the substring pass matches: the title and the body's first 1 MiB characters.
CREATE FUNCTION mdc_search_text(title text, body text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT title || E'\n' || left(body, 1048576)
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

CREATE FUNCTION mdc_documents_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := mdc_search_vector(
        coalesce((SELECT w.search_language FROM workspaces w WHERE w.id = NEW.workspace_id),
                 'simple')::regconfig,
        NEW.title, NEW.content);
    RETURN NEW;
END
$$;

CREATE TRIGGER documents_search_vector BEFORE INSERT OR UPDATE OF title, content
    ON documents FOR EACH ROW EXECUTE FUNCTION mdc_documents_search_vector();
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
    op.add_column("documents", sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True))
    op.execute(FUNCTIONS)
    # The owner's own statement, not a member's: lift FORCE for it, inside this transaction.
    op.execute("ALTER TABLE documents NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE workspaces NO FORCE ROW LEVEL SECURITY")
    op.execute("UPDATE documents SET title = title")
    op.execute("ALTER TABLE workspaces FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE documents FORCE ROW LEVEL SECURITY")
    op.alter_column("documents", "search_vector", nullable=False)
    op.create_index(
        "ix_documents_search",
        "documents",
        ["workspace_id", "search_vector"],
        postgresql_using="gin",
        postgresql_where=sa.text("trashed_at IS NULL"),
    )
    op.create_index(
        "ix_documents_trigrams",
        "documents",
        [
            "workspace_id",
            sa.func.mdc_search_text(sa.column("title"), sa.column("content")).label("text"),
        ],
        postgresql_using="gin",
        postgresql_ops={"text": "gin_trgm_ops"},
        postgresql_where=sa.text("trashed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_documents_trigrams", table_name="documents")
    op.drop_index("ix_documents_search", table_name="documents")
    op.execute("DROP TRIGGER documents_search_vector ON documents")
    op.execute("DROP FUNCTION mdc_documents_search_vector()")
    op.execute("DROP FUNCTION mdc_search_vector(regconfig, text, text)")
    op.execute("DROP FUNCTION mdc_search_text(text, text)")
    op.execute("DROP FUNCTION mdc_search_spaced(text)")
    op.drop_column("documents", "search_vector")
    op.drop_constraint("ck_workspaces_search_language", "workspaces")
    op.drop_column("workspaces", "search_language")
