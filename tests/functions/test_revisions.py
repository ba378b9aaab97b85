"""Revisions: each change of title or content recorded, one author's saves within the window
folded, list/get/diff, restore as a new version, and the bytes one revision costs."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from sqlalchemy import text

from tests.functions.test_documents import create, patch
from tests.support.mail import MailServer
from tests.support.workspaces import Person, member_of, person


@pytest.fixture
def owner(mail_server: MailServer) -> Person:
    return person(mail_server)


@pytest.fixture
def workspace(owner: Person) -> str:
    return str(owner("POST", "/api/workspaces", {"name": "History"}).body["id"])


def versions(who: Person, document: str) -> list[int]:
    items = who("GET", f"/api/documents/{document}/revisions").body["items"]
    return [item["version"] for item in items]


def test_every_change_is_a_revision_without_folding(
    owner: Person, workspace: str, override_settings: Any
) -> None:
    override_settings(REVISION_COALESCE_S=0)
    doc = create(owner, workspace, content="one\n")
    patch(owner, doc["id"], 1, {"content": "two\n"})
    patch(owner, doc["id"], 2, {"title": "Renamed"})
    other = create(owner, workspace)
    patch(owner, doc["id"], 3, {"parent_id": other["id"]})  # a move is no revision
    assert versions(owner, doc["id"]) == [3, 2, 1]
    page = owner("GET", f"/api/documents/{doc['id']}/revisions").body["items"]
    assert page[0]["author"]["user_id"] == owner.id and page[0]["author"]["display_name"]
    assert page[0]["title"] == "Renamed" and "content" not in page[0]
    one = owner("GET", f"/api/documents/{doc['id']}/revisions/1").body
    assert (one["content"], one["version"]) == ("one\n", 1)
    diff = owner("GET", f"/api/documents/{doc['id']}/revisions/2/diff?against=1").body["diff"]
    assert "-one\n+two\n" in diff and diff.startswith("--- v1\n+++ v2\n")
    assert owner("GET", f"/api/documents/{doc['id']}/revisions/9").status == 404
    assert owner("GET", f"/api/documents/{doc['id']}/revisions/2/diff?against=9").status == 404


def test_saves_by_one_author_within_the_window_fold_into_their_last_revision(
    owner: Person, workspace: str, mail_server: MailServer
) -> None:
    editor = member_of(mail_server, owner, workspace, "editor")
    doc = create(owner, workspace, content="a")
    for version in range(1, 6):
        assert patch(owner, doc["id"], version, {"content": f"a{version}"}).status == 200
    assert versions(owner, doc["id"]) == [6]
    assert patch(editor, doc["id"], 6, {"content": "by the editor"}).status == 200
    assert patch(owner, doc["id"], 7, {"content": "owner again"}).status == 200
    assert versions(owner, doc["id"]) == [8, 7, 6]
    six = owner("GET", f"/api/documents/{doc['id']}/revisions/6").body
    assert six["content"] == "a5"


def test_restore_makes_a_new_version_and_keeps_the_history(
    owner: Person, workspace: str, override_settings: Any
) -> None:
    override_settings(REVISION_COALESCE_S=0)
    doc = create(owner, workspace, title="First", content="first")
    patch(owner, doc["id"], 1, {"title": "Second", "content": "second"})
    path = f"/api/documents/{doc['id']}/revisions/1/restore"
    assert owner("POST", path).status == 428
    stale = owner("POST", path, headers={"if-match": '"1"'})
    assert (stale.status, stale.body["current_version"]) == (412, 2)
    done = owner("POST", path, headers={"if-match": '"2"'})
    assert (done.status, done.headers["etag"]) == (200, '"3"')
    assert (done.body["title"], done.body["content"], done.body["version"]) == ("First", "first", 3)
    assert versions(owner, doc["id"]) == [3, 2, 1]


def test_a_restore_never_folds_the_state_it_replaces(owner: Person, workspace: str) -> None:
    doc = create(owner, workspace, content="kept")
    patch(owner, doc["id"], 1, {"content": "typed within the window"})
    owner("POST", f"/api/documents/{doc['id']}/revisions/2/restore", headers={"if-match": '"2"'})
    assert versions(owner, doc["id"]) == [3, 2]


def test_viewers_read_history_and_cannot_restore(
    owner: Person, workspace: str, mail_server: MailServer
) -> None:
    viewer = member_of(mail_server, owner, workspace, "viewer")
    doc = create(owner, workspace)
    assert viewer("GET", f"/api/documents/{doc['id']}/revisions").status == 200
    answer = viewer(
        "POST", f"/api/documents/{doc['id']}/revisions/1/restore", headers={"if-match": '"1"'}
    )
    assert (answer.status, answer.body) == (403, {"detail": "Not allowed"})


def test_bytes_per_revision_of_a_100_kb_document_edited_in_1_percent_steps(
    owner: Person, workspace: str, override_settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    override_settings(REVISION_COALESCE_S=0)
    rng = random.Random(20)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(3000)]
    lines = [" ".join(rng.choices(words, k=12)) for _ in range(1400)]
    content = "\n".join(lines)[: 100 * 1024]
    doc = create(owner, workspace, content=content)
    steps = 20
    for version in range(1, steps + 1):
        chars = list(content)
        start = rng.randrange(0, len(chars) - 1024)
        chars[start : start + 1024] = list(" ".join(rng.choices(words, k=170))[:1024])
        content = "".join(chars)
        assert patch(owner, doc["id"], version, {"content": content}).status == 200
    from sqlalchemy.orm import Session

    from mdcreator.infra.db import act_as, get_engine

    with Session(get_engine()) as session:
        import uuid

        act_as(session, uuid.UUID(owner.id))
        sizes = list(
            session.scalars(
                text("SELECT octet_length(content_z) FROM revisions WHERE document_id = :d"),
                {"d": doc["id"]},
            )
        )
    assert len(sizes) == steps + 1
    per_revision = sum(sizes) / len(sizes)
    with capsys.disabled():
        print(  # noqa: T201 (the measurement the README reports)
            f"\n100 KB document, 1 % steps: {per_revision:.0f} bytes per revision "
            f"({per_revision / len(content.encode()):.0%} of the text)"
        )
    assert per_revision < 0.6 * len(content.encode())
