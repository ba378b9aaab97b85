"""Documents through their handlers: the contract (ETag, If-None-Match, text/markdown,
If-Match), nesting, the size and count limits, keyset pages, and parallel saves."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.support.environments import calls, separate_environments, together
from tests.support.mail import MailServer
from tests.support.workspaces import Person, person


@pytest.fixture
def owner(mail_server: MailServer) -> Person:
    return person(mail_server)


@pytest.fixture
def workspace(owner: Person) -> str:
    answer = owner("POST", "/api/workspaces", {"name": "Docs"})
    assert answer.status == 201
    return str(answer.body["id"])


def create(who: Person, workspace: str, **body: Any) -> dict[str, Any]:
    answer = who("POST", f"/api/workspaces/{workspace}/documents", {"title": "Doc", **body})
    assert answer.status == 201, answer.body
    return dict(answer.body)


def patch(who: Person, document: str, version: int | str | None, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    headers = (
        {}
        if version is None
        else {"if-match": f'"{version}"' if isinstance(version, int) else version}
    )
    return who("PATCH", f"/api/documents/{document}", body, headers)


def test_create_answers_201_with_version_1_etag_and_location(owner: Person, workspace: str) -> None:
    answer = owner(
        "POST", f"/api/workspaces/{workspace}/documents", {"title": " Notes ", "content": "# Hi"}
    )
    assert answer.status == 201
    body = answer.body
    assert set(body) == {
        "id",
        "workspace_id",
        "parent_id",
        "title",
        "content",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    }
    assert (body["title"], body["content"], body["version"]) == ("Notes", "# Hi", 1)
    assert (body["workspace_id"], body["created_by"]) == (workspace, owner.id)
    assert answer.headers["etag"] == '"1"'
    assert answer.headers["location"] == f"/api/documents/{body['id']}"


def test_get_etag_if_none_match_304_and_markdown(owner: Person, workspace: str) -> None:
    doc = create(owner, workspace, content="# Héllo\n")
    path = f"/api/documents/{doc['id']}"
    answer = owner("GET", path)
    assert (answer.status, answer.headers["etag"], answer.body["content"]) == (
        200,
        '"1"',
        "# Héllo\n",
    )
    cached = owner("GET", path, headers={"if-none-match": '"1"'})
    assert (cached.status, cached.body, cached.headers["etag"]) == (304, "", '"1"')
    assert owner("GET", path, headers={"if-none-match": '"7"'}).status == 200
    markdown = owner("GET", path, headers={"accept": "text/markdown"})
    assert markdown.status == 200
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert (markdown.body, markdown.headers["etag"]) == ("# Héllo\n", '"1"')


def test_patch_needs_if_match_428_stale_412_and_succeeds_on_the_current(
    owner: Person, workspace: str
) -> None:
    doc = create(owner, workspace, content="one")
    assert patch(owner, doc["id"], None, {"content": "x"}).status == 428
    assert patch(owner, doc["id"], "*", {"content": "x"}).status == 428
    done = patch(owner, doc["id"], 1, {"content": "two"})
    assert (done.status, done.body["version"], done.headers["etag"]) == (200, 2, '"2"')
    assert done.body["content"] == "two"
    stale = patch(owner, doc["id"], 1, {"content": "three"})
    assert (stale.status, stale.body) == (412, {"detail": "Document changed", "current_version": 2})
    weak = patch(owner, doc["id"], 'W/"2"', {"content": "three"})
    assert weak.status == 412
    assert owner("GET", f"/api/documents/{doc['id']}").body["content"] == "two"


def test_twenty_parallel_patches_on_one_version_one_wins_nineteen_412(
    owner: Person, workspace: str
) -> None:
    doc = create(owner, workspace, content="base")
    saves = [(owner, doc["id"], 1, {"content": f"edit {n}"}) for n in range(20)]
    with separate_environments():
        answers = together(calls(patch, *saves))
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] + [412] * 19, statuses
    winner = next(a for a in answers if a.status == 200)
    assert all(
        a.body == {"detail": "Document changed", "current_version": 2}
        for a in answers
        if a.status == 412
    )
    stored = owner("GET", f"/api/documents/{doc['id']}").body
    assert (stored["version"], stored["content"]) == (2, winner.body["content"])


def test_nesting_refuses_cycles_other_workspaces_and_trashed_parents(
    owner: Person, workspace: str
) -> None:
    top = create(owner, workspace)
    child = create(owner, workspace, parent_id=top["id"])
    grandchild = create(owner, workspace, parent_id=child["id"])
    other_ws = owner("POST", "/api/workspaces", {"name": "Other"}).body["id"]
    foreign = create(owner, other_ws)
    invalid = {"detail": "Invalid parent document"}
    for parent in (grandchild["id"], child["id"], top["id"]):
        answer = patch(owner, top["id"], 1, {"parent_id": parent})
        assert (answer.status, answer.body) == (422, invalid), parent
    answer = owner(
        "POST", f"/api/workspaces/{workspace}/documents", {"title": "x", "parent_id": foreign["id"]}
    )
    assert (answer.status, answer.body) == (422, invalid)
    assert patch(owner, child["id"], 1, {"parent_id": foreign["id"]}).status == 422
    assert patch(owner, child["id"], 1, {"parent_id": str(uuid.uuid4())}).status == 422
    assert owner("DELETE", f"/api/documents/{foreign['id']}").status == 204
    assert patch(owner, child["id"], 1, {"parent_id": None}).body["parent_id"] is None
    moved = patch(owner, top["id"], 1, {"parent_id": grandchild["id"]})
    assert (moved.status, moved.body["parent_id"]) == (200, grandchild["id"])


def test_one_mebibyte_passes_and_one_byte_more_is_413(owner: Person, workspace: str) -> None:
    # Quotes and newlines double in JSON: the body guard of this function admits that.
    full = '"\n' * (1024 * 512)
    assert len(full.encode()) == 1024 * 1024
    doc = create(owner, workspace, content=full)
    assert len(json.dumps({"content": full})) > 2 * 1024 * 1024
    assert owner("GET", f"/api/documents/{doc['id']}").body["content"] == full
    over = patch(owner, doc["id"], 1, {"content": full + "é"})
    assert (over.status, over.body) == (413, {"detail": "Document too large"})
    answer = owner(
        "POST",
        f"/api/workspaces/{workspace}/documents",
        {"title": "x", "content": "é" * (512 * 1024 + 1)},
    )
    assert answer.status == 413


def test_nul_and_lone_surrogates_are_422_not_500(owner: Person, workspace: str) -> None:
    path = f"/api/workspaces/{workspace}/documents"
    for raw in (
        '{"title": "a", "content": "x\\u0000y"}',
        '{"title": "a", "content": "\\ud800"}',
        '{"title": "\\udc00", "content": ""}',
    ):
        assert owner("POST", path, raw).status == 422, raw


def test_the_document_count_holds_under_parallel_creates(
    owner: Person, workspace: str, override_settings: Any
) -> None:
    override_settings(MAX_DOCUMENTS_PER_WORKSPACE=3)
    create(owner, workspace)
    path = f"/api/workspaces/{workspace}/documents"
    with separate_environments():
        answers = together(calls(owner, *[("POST", path, {"title": "p"})] * 8))
    statuses = sorted(a.status for a in answers)
    assert statuses == [201, 201] + [409] * 6
    listed = owner("GET", f"/api/workspaces/{workspace}/documents").body["items"]
    assert len(listed) == 3


def test_list_is_newest_change_first_keyset_paged_and_one_level_by_parent(
    owner: Person, workspace: str
) -> None:
    docs = [create(owner, workspace, title=f"D{i}") for i in range(5)]
    child = create(owner, workspace, title="Child", parent_id=docs[0]["id"])
    patch(owner, docs[1]["id"], 1, {"title": "D1 changed"})
    base = f"/api/workspaces/{workspace}/documents"
    seen, cursor = [], None
    while True:
        page = owner("GET", f"{base}?limit=2" + (f"&cursor={cursor}" if cursor else "")).body
        assert all("content" not in item for item in page["items"])
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["D1 changed", "Child", "D4", "D3", "D2", "D0"]
    children = owner("GET", f"{base}?parent_id={docs[0]['id']}").body["items"]
    assert [c["id"] for c in children] == [child["id"]]
    top = owner("GET", f"{base}?parent_id=root").body["items"]
    assert child["id"] not in [t["id"] for t in top] and len(top) == 5
    assert owner("GET", f"{base}?cursor=nonsense").status == 400
