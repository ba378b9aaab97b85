"""Workspaces and members: the contract's answers, the caps, pages, and account deletion."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functions.test_password_and_delete import delete_account
from tests.support.mail import MailServer
from tests.support.workspaces import member_of, person


def test_create_answers_201_with_the_owner_role(mail_server: MailServer) -> None:
    alice = person(mail_server)
    answer = alice("POST", "/api/workspaces", {"name": "  Team Docs  "})
    assert answer.status == 201
    assert set(answer.body) == {"id", "name", "role", "search_language", "created_at", "updated_at"}
    assert (answer.body["name"], answer.body["role"]) == ("Team Docs", "owner")
    assert answer.body["search_language"] == "simple"
    assert alice("GET", f"/api/workspaces/{answer.body['id']}").body == answer.body


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "a\nb"},
        {"name": "Docs", "search_language": "klingon"},
        {"name": "a\x00"},
        {"name": 5},
        {"name": "ok", "extra": 1},
    ],
)
def test_bad_names_are_422(mail_server: MailServer, body: dict[str, Any]) -> None:
    assert person(mail_server)("POST", "/api/workspaces", body).status == 422


def test_owning_more_than_the_cap_is_409(mail_server: MailServer, override_settings: Any) -> None:
    override_settings(MAX_WORKSPACES_PER_USER=2)
    alice = person(mail_server)
    statuses = [alice("POST", "/api/workspaces", {"name": f"W{i}"}).status for i in range(3)]
    assert statuses == [201, 201, 409]


def test_the_list_pages_by_cursor_without_gaps_or_repeats(mail_server: MailServer) -> None:
    alice = person(mail_server)
    created = [alice("POST", "/api/workspaces", {"name": f"W{i}"}).body["id"] for i in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        path = "/api/workspaces?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = alice("GET", path).body
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (created, 3)


@pytest.mark.parametrize("query", ["cursor=nonsense", "cursor=bm90fGE", "limit=0", "limit=101"])
def test_a_bad_cursor_is_400_and_a_bad_limit_422(mail_server: MailServer, query: str) -> None:
    answer = person(mail_server)("GET", f"/api/workspaces?{query}")
    assert answer.status == (400 if query.startswith("cursor") else 422)


def test_rename_and_delete(mail_server: MailServer) -> None:
    alice = person(mail_server)
    workspace = alice("POST", "/api/workspaces", {"name": "Old"}).body["id"]
    assert alice("PATCH", f"/api/workspaces/{workspace}", {"name": "New"}).body["name"] == "New"
    assert alice("DELETE", f"/api/workspaces/{workspace}").status == 204
    assert alice("GET", f"/api/workspaces/{workspace}").status == 404
    assert alice("GET", "/api/workspaces").body["items"] == []


def test_owner_rules_for_roles_and_leaving(mail_server: MailServer) -> None:
    owner = person(mail_server)
    workspace = owner("POST", "/api/workspaces", {"name": "Rules"}).body["id"]
    admin = member_of(mail_server, owner, workspace, "admin")
    editor = member_of(mail_server, owner, workspace, "editor")
    base = f"/api/workspaces/{workspace}/members"
    needs_owner = {"detail": "A workspace needs an owner"}
    assert owner("DELETE", f"{base}/{owner.id}").body == needs_owner
    assert owner("PATCH", f"{base}/{owner.id}", {"role": "admin"}).body == needs_owner
    assert admin("PATCH", f"{base}/{editor.id}", {"role": "owner"}).status == 403
    assert admin("PATCH", f"{base}/{owner.id}", {"role": "admin"}).status == 403
    assert admin("DELETE", f"{base}/{owner.id}").status == 403
    assert admin("PATCH", f"{base}/{editor.id}", {"role": "admin"}).body["role"] == "admin"
    assert owner("PATCH", f"{base}/{admin.id}", {"role": "owner"}).body["role"] == "owner"
    assert owner("DELETE", f"{base}/{owner.id}").status == 204  # leaves; admin owns it now
    assert editor("DELETE", f"{base}/{editor.id}").status == 204  # anyone may leave
    members = admin("GET", base).body["items"]
    assert [(m["user_id"], m["role"]) for m in members] == [(admin.id, "owner")]


def test_deleting_an_account_ends_its_memberships_and_its_sole_workspaces(
    mail_server: MailServer,
) -> None:
    alice = person(mail_server)
    other = person(mail_server)
    solo = alice("POST", "/api/workspaces", {"name": "Alice alone"}).body["id"]
    shared = other("POST", "/api/workspaces", {"name": "Other's"}).body["id"]
    co_owned = alice("POST", "/api/workspaces", {"name": "Co-owned"}).body["id"]
    member_of_solo = member_of(mail_server, alice, solo, "editor")
    alice_in_shared = member_of(mail_server, other, shared, "editor")
    co_owner = member_of(mail_server, alice, co_owned, "admin")
    base = f"/api/workspaces/{co_owned}/members"
    assert alice("PATCH", f"{base}/{co_owner.id}", {"role": "owner"}).status == 200

    assert delete_account(alice.token).status == 204
    assert delete_account(alice_in_shared.token).status == 204

    assert member_of_solo("GET", f"/api/workspaces/{solo}").status == 404
    assert [
        m["user_id"] for m in other("GET", f"/api/workspaces/{shared}/members").body["items"]
    ] == [other.id]
    members = co_owner("GET", base).body["items"]
    assert [(m["user_id"], m["role"]) for m in members] == [(co_owner.id, "owner")]
