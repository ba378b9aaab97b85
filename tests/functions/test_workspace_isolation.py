"""Every workspace route from one table: a stranger gets the same 404 as a deleted or absent
workspace, each role gets its answer or 403, and a change of role counts on the next request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.mail import MailServer
from tests.support.workspaces import (
    NOT_ALLOWED,
    NOT_FOUND,
    ROLES,
    Person,
    assert_only_allowed_roles_get_through,
    member_of,
    new_email,
    person,
)


@dataclass
class Team:
    workspace: str
    people: dict[str, Person]
    stranger: Person
    mail_server: MailServer

    def fresh_member(self) -> str:
        return member_of(self.mail_server, self.people["owner"], self.workspace, "viewer").id

    def fresh_invitation(self) -> str:
        owner = self.people["owner"]
        email = new_email("pending")
        path = f"/api/workspaces/{self.workspace}/invitations"
        assert owner("POST", path, {"email": email, "role": "viewer"}).status == 202
        pending = owner("GET", f"{path}?limit=100").body["items"]
        return next(item["id"] for item in pending if item["email"] == email)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {ws}, {member}, {invitation} are filled in per call
    allowed: frozenset[str]
    status: int
    body: Callable[[], Any] = lambda: None


ADMINS = frozenset({"owner", "admin"})
EVERYONE = frozenset(ROLES)
ROUTES = [
    Route("GET", "/api/workspaces/{ws}", EVERYONE, 200),
    Route("PATCH", "/api/workspaces/{ws}", ADMINS, 200, lambda: {"name": "Renamed"}),
    Route("GET", "/api/workspaces/{ws}/members", EVERYONE, 200),
    Route(
        "PATCH", "/api/workspaces/{ws}/members/{member}", ADMINS, 200, lambda: {"role": "editor"}
    ),
    Route("DELETE", "/api/workspaces/{ws}/members/{member}", ADMINS, 204),
    Route(
        "POST",
        "/api/workspaces/{ws}/invitations",
        ADMINS,
        202,
        lambda: {"email": new_email("invitee"), "role": "viewer"},
    ),
    Route("GET", "/api/workspaces/{ws}/invitations", ADMINS, 200),
    Route("DELETE", "/api/workspaces/{ws}/invitations/{invitation}", ADMINS, 204),
    Route("DELETE", "/api/workspaces/{ws}", frozenset({"owner"}), 204),
]


@pytest.fixture
def team(mail_server: MailServer) -> Team:
    owner = person(mail_server)
    workspace = owner("POST", "/api/workspaces", {"name": "Isolated"}).body["id"]
    people = {"owner": owner}
    for role in ("admin", "editor", "viewer"):
        people[role] = member_of(mail_server, owner, workspace, role)
    return Team(workspace, people, person(mail_server), mail_server)


def _path(route: Route, team: Team, workspace: str | None = None) -> str:
    path = route.path.replace("{ws}", workspace or team.workspace)
    if "{member}" in path:
        path = path.replace("{member}", team.fresh_member())
    if "{invitation}" in path:
        path = path.replace("{invitation}", team.fresh_invitation())
    return path


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
def test_absent_deleted_and_malformed_ids_answer_the_same_404(route: Route, team: Team) -> None:
    owner = team.people["owner"]
    deleted = owner("POST", "/api/workspaces", {"name": "Gone"}).body["id"]
    assert owner("DELETE", f"/api/workspaces/{deleted}").status == 204
    for workspace in (str(uuid.uuid4()), deleted, "not-a-uuid"):
        path = route.path.replace("{ws}", workspace)
        path = path.replace("{member}", owner.id).replace("{invitation}", str(uuid.uuid4()))
        answer = owner(route.method, path, route.body())
        assert (answer.status, answer.body) == (404, NOT_FOUND), workspace


def test_ids_inside_a_workspace_that_are_not_its_own_answer_404(team: Team) -> None:
    owner = team.people["owner"]
    base = f"/api/workspaces/{team.workspace}"
    for method, path, body in [
        ("PATCH", f"{base}/members/{team.stranger.id}", {"role": "viewer"}),
        ("DELETE", f"{base}/members/{team.stranger.id}", None),
        ("DELETE", f"{base}/invitations/{uuid.uuid4()}", None),
        ("PATCH", f"{base}/members/nope", {"role": "viewer"}),
    ]:
        answer = owner(method, path, body)
        assert (answer.status, answer.body) == (404, NOT_FOUND), path


def test_membership_changes_count_on_the_very_next_request(team: Team) -> None:
    owner, admin, editor = (team.people[r] for r in ("owner", "admin", "editor"))
    base = f"/api/workspaces/{team.workspace}"
    assert admin("PATCH", base, {"name": "By the admin"}).status == 200
    assert owner("PATCH", f"{base}/members/{admin.id}", {"role": "viewer"}).status == 200
    assert admin("PATCH", base, {"name": "Again"}).body == NOT_ALLOWED
    assert owner("DELETE", f"{base}/members/{editor.id}").status == 204
    assert editor("GET", base).body == NOT_FOUND
    assert editor("GET", "/api/workspaces").body["items"] == []


def test_no_token_is_401_on_every_route(team: Team) -> None:
    from tests.support.workspaces import api

    for route in ROUTES:
        path = route.path.replace("{ws}", team.workspace)
        path = path.replace("{member}", team.stranger.id).replace("{invitation}", team.workspace)
        assert api(None, route.method, path, route.body()).status == 401
    assert api(None, "POST", "/api/invitations/accept", {"token": "x"}).status == 401
    assert api(None, "GET", "/api/workspaces").status == 401
