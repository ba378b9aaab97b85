"""Every document route from one table, as the workspace routes are: a stranger gets the same
404 as an absent, trashed or malformed id; each role gets its answer or 403; row-level
security covers the document tables for the functions' role."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.support.mail import MailServer
from tests.support.workspaces import (
    NOT_FOUND,
    ROLES,
    Person,
    api,
    assert_only_allowed_roles_get_through,
    member_of,
    person,
)

EVERYONE = frozenset(ROLES)
EDITORS = frozenset({"editor", "admin", "owner"})
IF_MATCH_1 = {"if-match": '"1"'}


@dataclass
class Team:
    workspace: str
    people: dict[str, Person]
    stranger: Person

    def document(self, *, trashed: bool = False) -> str:
        owner = self.people["owner"]
        answer = owner(
            "POST", f"/api/workspaces/{self.workspace}/documents", {"title": "T", "content": "c"}
        )
        assert answer.status == 201
        if trashed:
            assert owner("DELETE", f"/api/documents/{answer.body['id']}").status == 204
        return str(answer.body["id"])

    def share(self, document: str) -> str:
        answer = self.people["owner"]("POST", f"/api/documents/{document}/shares", {})
        return str(answer.body["id"])


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {ws}, {doc}, {share} are filled in per call
    allowed: frozenset[str]
    status: int
    body: Callable[[], Any] = lambda: None
    headers: dict[str, str] | None = None
    trashed: bool = False  # the route acts on a document in the trash


ROUTES = [
    Route("POST", "/api/workspaces/{ws}/documents", EDITORS, 201, lambda: {"title": "New"}),
    Route("GET", "/api/workspaces/{ws}/documents", EVERYONE, 200),
    Route("GET", "/api/workspaces/{ws}/trash", EDITORS, 200),
    Route("GET", "/api/documents/{doc}", EVERYONE, 200),
    Route("PATCH", "/api/documents/{doc}", EDITORS, 200, lambda: {"title": "X"}, IF_MATCH_1),
    Route("DELETE", "/api/documents/{doc}", EDITORS, 204),
    Route("POST", "/api/documents/{doc}/restore", EDITORS, 200, trashed=True),
    Route("GET", "/api/documents/{doc}/html", EVERYONE, 200),
    Route("GET", "/api/documents/{doc}/revisions", EVERYONE, 200),
    Route("GET", "/api/documents/{doc}/revisions/1", EVERYONE, 200),
    Route("GET", "/api/documents/{doc}/revisions/1/diff?against=1", EVERYONE, 200),
    Route("POST", "/api/documents/{doc}/revisions/1/restore", EDITORS, 200, headers=IF_MATCH_1),
    Route("POST", "/api/documents/{doc}/shares", EDITORS, 201, lambda: {"expires_in_days": 3}),
    Route("GET", "/api/documents/{doc}/shares", EDITORS, 200),
    Route("DELETE", "/api/shares/{share}", EDITORS, 204),
]


@pytest.fixture
def team(mail_server: MailServer) -> Team:
    owner = person(mail_server)
    workspace = owner("POST", "/api/workspaces", {"name": "Isolated docs"}).body["id"]
    people = {"owner": owner}
    for role in ("admin", "editor", "viewer"):
        people[role] = member_of(mail_server, owner, workspace, role)
    return Team(workspace, people, person(mail_server))


def _path(route: Route, team: Team) -> str:
    path = route.path.replace("{ws}", team.workspace)
    if "{doc}" in path or "{share}" in path:
        document = team.document(trashed=route.trashed)
        path = path.replace("{doc}", document).replace(
            "{share}", team.share(document) if "{share}" in path else ""
        )
    return path


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_each_role_gets_its_answer_or_403_and_a_stranger_404(route: Route, team: Team) -> None:
    assert_only_allowed_roles_get_through(
        team.stranger,
        team.people,
        lambda who: who(route.method, _path(route, team), route.body(), route.headers),
        route.allowed,
        route.status,
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_absent_trashed_deleted_and_malformed_ids_answer_the_same_404(
    route: Route, team: Team
) -> None:
    owner = team.people["owner"]
    gone_ws = owner("POST", "/api/workspaces", {"name": "Gone"}).body["id"]
    in_gone = owner("POST", f"/api/workspaces/{gone_ws}/documents", {"title": "g"}).body["id"]
    assert owner("DELETE", f"/api/workspaces/{gone_ws}").status == 204
    wrong_state = team.document(trashed=not route.trashed)
    for ident in (str(uuid.uuid4()), wrong_state, in_gone, "not-a-uuid"):
        path = route.path.replace("{ws}", gone_ws if ident == in_gone else str(uuid.uuid4()))
        path = path.replace("{doc}", ident).replace("{share}", ident)
        answer = owner(route.method, path, route.body(), route.headers)
        assert (answer.status, answer.body) == (404, NOT_FOUND), (ident, path)


def test_no_token_is_401_on_every_route(team: Team) -> None:
    document = team.document()
    for route in ROUTES:
        path = route.path.replace("{ws}", team.workspace).replace("{doc}", document)
        path = path.replace("{share}", team.share(document))
        assert api(None, route.method, path, route.body(), route.headers).status == 401, path


def test_document_tables_force_row_level_security_and_show_only_the_callers_rows(
    team: Team,
) -> None:
    from mdcreator.infra.db import act_as, get_engine

    mine = team.document()
    team.share(mine)
    stranger = team.stranger
    theirs_ws = stranger("POST", "/api/workspaces", {"name": "Theirs"}).body["id"]
    stranger("POST", f"/api/workspaces/{theirs_ws}/documents", {"title": "Theirs"})
    forced = text("""
        SELECT relname FROM pg_class
         WHERE relname IN ('documents', 'revisions', 'shares')
           AND relrowsecurity AND relforcerowsecurity
    """)
    with Session(get_engine()) as session:
        assert set(session.scalars(forced)) == {"documents", "revisions", "shares"}
        for table in ("documents", "revisions", "shares"):
            assert session.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        act_as(session, uuid.UUID(stranger.id))
        seen = set(session.scalars(text("SELECT workspace_id::text FROM documents")))
        shares = session.scalar(text("SELECT count(*) FROM shares"))
        revisions = set(session.scalars(text("SELECT workspace_id::text FROM revisions")))
    assert seen == {theirs_ws} and revisions == {theirs_ws} and shares == 0
