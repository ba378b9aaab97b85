"""Every attachment route from one table: a stranger gets the same 404 as an absent id or a
deleted workspace, each role gets its answer or 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.attachments import png, ready, start, uploaded
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

EDITORS = frozenset({"editor", "admin", "owner"})
EVERYONE = frozenset(ROLES)


@dataclass
class Team:
    workspace: str
    people: dict[str, Person]
    stranger: Person


# What each route's {att} is: a fresh one per call, in the state the route acts on.
Make = Callable[[Team], str]


def _pending_uploaded(team: Team) -> str:
    return uploaded(team.people["owner"], team.workspace, png())


def _ready(team: Team) -> str:
    return ready(team.people["owner"], team.workspace, png())


def _none(_team: Team) -> str:
    return ""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    status: int
    make: Make = _none
    body: Callable[[], Any] = lambda: None


ROUTES = [
    Route(
        "POST",
        "/api/workspaces/{ws}/attachments",
        EDITORS,
        201,
        body=lambda: {"filename": "a.png", "content_type": "image/png", "size": 10},
    ),
    Route("GET", "/api/workspaces/{ws}/attachments", EVERYONE, 200),
    Route("POST", "/api/attachments/{att}/complete", EDITORS, 200, _pending_uploaded),
    Route("GET", "/api/attachments/{att}", EVERYONE, 302, _ready),
    Route("DELETE", "/api/attachments/{att}", EDITORS, 204, _ready),
]


@pytest.fixture
def team(mail_server: MailServer) -> Team:
    owner = person(mail_server)
    workspace = owner("POST", "/api/workspaces", {"name": "Isolated files"}).body["id"]
    people = {"owner": owner}
    for role in ("admin", "editor", "viewer"):
        people[role] = member_of(mail_server, owner, workspace, role)
    return Team(workspace, people, person(mail_server))


def _path(route: Route, team: Team) -> str:
    return route.path.replace("{ws}", team.workspace).replace("{att}", route.make(team))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_each_role_gets_its_answer_or_403_and_a_stranger_404(route: Route, team: Team) -> None:
    assert_only_allowed_roles_get_through(
        team.stranger,
        team.people,
        lambda who: who(route.method, _path(route, team), route.body()),
        route.allowed,
        route.status,
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_a_deleted_workspaces_routes_answer_the_same_404(route: Route, team: Team) -> None:
    path = _path(route, team)
    owner = team.people["owner"]
    assert owner("DELETE", f"/api/workspaces/{team.workspace}").status == 204
    answer = owner(route.method, path, route.body())
    assert (answer.status, answer.body) == (404, NOT_FOUND)


def test_a_removed_member_loses_access_on_the_next_request(team: Team) -> None:
    owner, editor = team.people["owner"], team.people["editor"]
    attachment = ready(owner, team.workspace, png())
    assert editor("GET", f"/api/attachments/{attachment}").status == 302
    base = f"/api/workspaces/{team.workspace}"
    assert owner("DELETE", f"{base}/members/{editor.id}").status == 204
    assert editor("GET", f"/api/attachments/{attachment}").body == NOT_FOUND
    assert start(editor, team.workspace, png()).body == NOT_FOUND


def test_no_token_is_401_on_every_route(team: Team) -> None:
    for route in ROUTES:
        path = route.path.replace("{ws}", team.workspace).replace("{att}", team.workspace)
        assert api(None, route.method, path, route.body()).status == 401
