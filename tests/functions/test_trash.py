"""The trash: a deletion takes the subtree, a restore brings back what went with it, and the
scheduled purge removes it for good after the retention period (the clock of the rows is
moved back, as Postgres' now() cannot be moved forward)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.functions.test_documents import create, patch
from tests.support.lambda_events import load_event
from tests.support.mail import MailServer
from tests.support.unbound import Unbound, age
from tests.support.workspaces import Person, member_of, person


@pytest.fixture
def owner(mail_server: MailServer) -> Person:
    return person(mail_server)


@pytest.fixture
def workspace(owner: Person) -> str:
    return str(owner("POST", "/api/workspaces", {"name": "Trash"}).body["id"])


def purge() -> dict[str, Any]:
    from functions.purge_documents.app import handler

    result: dict[str, Any] = handler(load_event("purge_documents"), None)
    return result


def test_delete_trashes_the_subtree_and_restore_brings_back_what_went_with_it(
    owner: Person, workspace: str
) -> None:
    top = create(owner, workspace, title="Top")
    child = create(owner, workspace, title="Child", parent_id=top["id"])
    grandchild = create(owner, workspace, title="Grandchild", parent_id=child["id"])
    earlier = create(owner, workspace, title="Deleted before", parent_id=top["id"])
    assert owner("DELETE", f"/api/documents/{earlier['id']}").status == 204
    assert owner("DELETE", f"/api/documents/{top['id']}").status == 204
    for doc in (top, child, grandchild, earlier):
        answer = owner("GET", f"/api/documents/{doc['id']}")
        assert (answer.status, answer.body) == (404, {"detail": "Not found"})
    assert owner("GET", f"/api/workspaces/{workspace}/documents").body["items"] == []
    trash = owner("GET", f"/api/workspaces/{workspace}/trash").body["items"]
    assert [t["title"] for t in trash] == ["Top", "Deleted before"]
    assert trash[0]["trashed_by"] == owner.id
    assert patch(owner, top["id"], 1, {"title": "x"}).status == 404
    restored = owner("POST", f"/api/documents/{top['id']}/restore")
    assert (restored.status, restored.body["title"]) == (200, "Top")
    live = {
        d["title"] for d in owner("GET", f"/api/workspaces/{workspace}/documents").body["items"]
    }
    assert live == {"Top", "Child", "Grandchild"}
    assert owner("POST", f"/api/documents/{top['id']}/restore").status == 404
    back = owner("POST", f"/api/documents/{earlier['id']}/restore").body
    assert back["parent_id"] == top["id"]


def test_a_restored_child_of_a_parent_still_in_the_trash_goes_to_the_top_level(
    owner: Person, workspace: str
) -> None:
    top = create(owner, workspace)
    child = create(owner, workspace, parent_id=top["id"])
    assert owner("DELETE", f"/api/documents/{top['id']}").status == 204
    restored = owner("POST", f"/api/documents/{child['id']}/restore").body
    assert restored["parent_id"] is None
    assert owner("GET", f"/api/documents/{top['id']}").status == 404


def test_purge_removes_trash_past_retention_with_revisions_and_nothing_else(
    owner: Person, workspace: str, unbound: Unbound
) -> None:
    old = create(owner, workspace, title="Old")
    old_child = create(owner, workspace, title="Old child", parent_id=old["id"])
    recent = create(owner, workspace, title="Recent")
    live = create(owner, workspace, title="Live")
    for doc in (old, recent):
        assert owner("DELETE", f"/api/documents/{doc['id']}").status == 204
    age(unbound, "documents", "trashed_at", 31, [old["id"], old_child["id"]])
    age(unbound, "documents", "trashed_at", 29, [recent["id"]])
    age(unbound, "documents", "updated_at", 400, [live["id"]])
    assert purge()["purged"] >= 2
    with unbound.connect() as connection:
        left = set(
            connection.scalars(
                text("SELECT title FROM documents WHERE workspace_id = :w"), {"w": workspace}
            )
        )
        revisions = connection.scalar(
            text("SELECT count(*) FROM revisions WHERE document_id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": [old["id"], old_child["id"]]},
        )
    assert left == {"Recent", "Live"}
    assert revisions == 0
    assert owner("POST", f"/api/documents/{old['id']}/restore").status == 404
    assert owner("POST", f"/api/documents/{recent['id']}/restore").status == 200


def test_purge_removes_the_documents_of_a_workspace_deleted_past_retention(
    owner: Person, unbound: Unbound
) -> None:
    gone = str(owner("POST", "/api/workspaces", {"name": "Gone"}).body["id"])
    fresh = str(owner("POST", "/api/workspaces", {"name": "Just gone"}).body["id"])
    create(owner, gone)
    create(owner, fresh)
    for ws in (gone, fresh):
        assert owner("DELETE", f"/api/workspaces/{ws}").status == 204
    age(unbound, "workspaces", "deleted_at", 31, [gone])
    purge()
    with unbound.connect() as connection:
        counts = dict(
            connection.execute(
                text(
                    "SELECT workspace_id::text, count(*) FROM documents "
                    "WHERE workspace_id IN (CAST(:a AS uuid), CAST(:b AS uuid)) GROUP BY 1"
                ),
                {"a": gone, "b": fresh},
            ).all()
        )
    assert counts == {fresh: 1}


def test_the_purge_setting_reaches_trash_only_never_a_live_document(
    owner: Person, workspace: str
) -> None:
    from sqlalchemy.orm import Session

    from mdcreator.infra.db import get_engine

    live = create(owner, workspace, title="Live")
    trashed = create(owner, workspace, title="Trashed")
    assert owner("DELETE", f"/api/documents/{trashed['id']}").status == 204
    with Session(get_engine()) as session:
        session.execute(text("SELECT set_config('mdc.purge', 'on', true)"))
        seen = set(session.scalars(text("SELECT id::text FROM documents")))
        deleted = session.execute(text("DELETE FROM documents WHERE id = :id"), {"id": live["id"]})
        assert deleted.rowcount == 0  # type: ignore[attr-defined]
        session.rollback()
    assert live["id"] not in seen and trashed["id"] in seen
    assert owner("GET", f"/api/documents/{live['id']}").status == 200


def test_viewers_cannot_delete_restore_or_see_the_trash(
    owner: Person, workspace: str, mail_server: MailServer
) -> None:
    viewer = member_of(mail_server, owner, workspace, "viewer")
    doc = create(owner, workspace)
    assert viewer("DELETE", f"/api/documents/{doc['id']}").status == 403
    assert owner("DELETE", f"/api/documents/{doc['id']}").status == 204
    assert viewer("POST", f"/api/documents/{doc['id']}/restore").status == 403
    assert viewer("GET", f"/api/workspaces/{workspace}/trash").status == 403
