"""Postgres as the second wall: the functions' role cannot bypass row-level security, every
tenant table forces it, a query without any filter sees only the caller's rows, and the
caller's setting never outlives its transaction on a reused connection."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.support.mail import MailServer
from tests.support.workspaces import Person, api, member_of, person


def _engine():  # type: ignore[no-untyped-def]
    from mdcreator.infra.db import get_engine

    return get_engine()


def _workspace(owner: Person, name: str) -> str:
    answer = owner("POST", "/api/workspaces", {"name": name})
    assert answer.status == 201
    return str(answer.body["id"])


def test_the_functions_role_is_neither_superuser_nor_bypassrls_and_owns_the_tables() -> None:
    with _engine().connect() as connection:
        row = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owner = connection.scalar(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'workspaces'")
        )
        user = connection.scalar(text("SELECT current_user"))
    assert (row.rolsuper, row.rolbypassrls) == (False, False)
    # The owner is who FORCE ROW LEVEL SECURITY is for: without it the owner is not bound.
    assert owner == user


def test_every_tenant_table_enables_and_forces_row_level_security() -> None:
    query = text("""
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
           AND (c.relname = 'workspaces' OR EXISTS (
                SELECT 1 FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped))
    """)
    with _engine().connect() as connection:
        tables = connection.execute(query).all()
    assert {t.relname for t in tables} >= {"workspaces", "memberships", "invitations"}
    unguarded = [t.relname for t in tables if not (t.relrowsecurity and t.relforcerowsecurity)]
    # The one exception, on purpose (migration 0008 says why): search's own entries, only
    # ever read joined to documents (tests/functions/test_search_corpus.py tries without).
    assert unguarded == ["document_search"]


def test_an_unfiltered_query_sees_only_the_callers_rows(mail_server: MailServer) -> None:
    from mdcreator.infra.db import act_as

    alice, bob = person(mail_server), person(mail_server)
    mine = {_workspace(alice, "Alice 1"), _workspace(alice, "Alice 2")}
    theirs = _workspace(bob, "Bob's")
    bob(
        "POST",
        f"/api/workspaces/{theirs}/invitations",
        {"email": "x@example.com", "role": "viewer"},
    )
    with Session(_engine()) as session:
        act_as(session, uuid.UUID(alice.id))
        workspaces = {str(i) for i in session.scalars(text("SELECT id FROM workspaces"))}
        memberships = session.execute(text("SELECT workspace_id, user_id FROM memberships")).all()
        invitations = session.execute(text("SELECT * FROM invitations")).all()
    assert workspaces == mine
    assert {str(m.workspace_id) for m in memberships} == mine
    assert {str(m.user_id) for m in memberships} == {alice.id}
    assert invitations == []


def test_without_the_setting_tenant_tables_show_nothing(mail_server: MailServer) -> None:
    _workspace(person(mail_server), "Somebody's")
    with _engine().connect() as connection:
        for table in ("workspaces", "memberships", "invitations"):
            assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table


def test_a_member_sees_the_workspaces_other_members_but_no_other_workspace(
    mail_server: MailServer,
) -> None:
    from mdcreator.infra.db import act_as

    owner = person(mail_server)
    shared = _workspace(owner, "Shared")
    _workspace(owner, "Private")
    guest = member_of(mail_server, owner, shared, "viewer")
    with Session(_engine()) as session:
        act_as(session, uuid.UUID(guest.id))
        rows = session.execute(text("SELECT workspace_id, user_id FROM memberships")).all()
    assert {str(r.workspace_id) for r in rows} == {shared}
    assert {str(r.user_id) for r in rows} == {owner.id, guest.id}


def test_the_setting_survives_a_commit_and_ends_with_the_session(mail_server: MailServer) -> None:
    from mdcreator.infra.db import act_as

    alice = person(mail_server)
    mine = _workspace(alice, "Mine")
    setting = text("SELECT current_setting('mdc.user_id', true)")
    with Session(_engine()) as session:
        act_as(session, uuid.UUID(alice.id))
        assert session.scalar(setting) == alice.id
        session.commit()  # a commit in the middle of a request
        assert session.scalar(setting) == alice.id
        assert [str(i) for i in session.scalars(text("SELECT id FROM workspaces"))] == [mine]
    with _engine().connect() as connection:
        assert connection.scalar(setting) in (None, "")
        assert connection.scalar(text("SELECT count(*) FROM workspaces")) == 0


def test_the_setting_does_not_leak_to_the_next_request_on_the_same_connection(
    mail_server: MailServer,
) -> None:
    alice, bob = person(mail_server), person(mail_server)
    alices = _workspace(alice, "Alice's")
    engine = _engine()
    assert engine.pool.size() == 1  # type: ignore[attr-defined]
    pid = text("SELECT pg_backend_pid()")
    with engine.connect() as connection:
        before = connection.scalar(pid)
    assert [w["id"] for w in alice("GET", "/api/workspaces").body["items"]] == [alices]
    # Bob's request runs next on the very connection Alice's used.
    assert bob("GET", "/api/workspaces").body["items"] == []
    assert api(bob.token, "GET", f"/api/workspaces/{alices}").status == 404
    with engine.connect() as connection:
        assert connection.scalar(pid) == before
        assert connection.scalar(text("SELECT current_setting('mdc.user_id', true)")) in (None, "")
