"""Share links: the token once, stored hashed; the public route for live links only, the
same 404 for every other; per-IP limit; editors manage them."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import text

from tests.functions.test_documents import create
from tests.support.handlers import client_ip
from tests.support.lambda_events import http_event, invoke
from tests.support.mail import MailServer
from tests.support.unbound import Unbound, age
from tests.support.workspaces import Person, member_of, person

NOT_FOUND = {"detail": "Not found"}


@pytest.fixture
def owner(mail_server: MailServer) -> Person:
    return person(mail_server)


@pytest.fixture
def workspace(owner: Person) -> str:
    return str(owner("POST", "/api/workspaces", {"name": "Shared"}).body["id"])


def public(token: str, ip: str | None = None):  # type: ignore[no-untyped-def]
    event = http_event("GET", f"/api/public/shares/{token}", source_ip=ip or client_ip())
    return invoke("public_share", event)


def share(who: Person, document: str, days: int | None = None) -> dict[str, Any]:
    answer = who("POST", f"/api/documents/{document}/shares", {"expires_in_days": days})
    assert answer.status == 201, answer.body
    return dict(answer.body)


def test_a_link_shows_the_current_version_rendered_without_an_account(
    owner: Person, workspace: str
) -> None:
    doc = create(owner, workspace, title="Public", content="# Hi\n\n<script>x</script>")
    created = share(owner, doc["id"], 7)
    assert created["url"].endswith(f"/s/{created['token']}")
    assert created["expires_at"] is not None
    answer = public(created["token"])
    assert answer.status == 200
    assert set(answer.body) == {"title", "html", "updated_at"}
    assert answer.body["title"] == "Public" and "<h1>Hi</h1>" in answer.body["html"]
    assert "<script>" not in answer.body["html"]
    owner("PATCH", f"/api/documents/{doc['id']}", {"content": "changed"}, {"if-match": '"1"'})
    assert "changed" in public(created["token"]).body["html"]


def test_the_token_is_stored_hashed_and_never_listed(
    owner: Person,
    workspace: str,
    unbound: Unbound,
) -> None:
    doc = create(owner, workspace)
    created = share(owner, doc["id"])
    listed = owner("GET", f"/api/documents/{doc['id']}/shares").body["items"]
    assert [s["id"] for s in listed] == [created["id"]] and "token" not in listed[0]
    with unbound.connect() as connection:
        stored = connection.scalar(
            text("SELECT token_hash FROM shares WHERE id = :i"), {"i": created["id"]}
        )
        everything = str(connection.execute(text("SELECT * FROM shares")).all())
    assert stored == hashlib.sha256(created["token"].encode()).hexdigest()
    assert created["token"] not in everything


def test_revoked_expired_trashed_deleted_and_unknown_links_are_the_same_404(
    owner: Person,
    workspace: str,
    unbound: Unbound,
) -> None:
    docs = [create(owner, workspace) for _ in range(3)]
    revoked, expired, trashed = (share(owner, d["id"], 1) for d in docs)
    assert owner("DELETE", f"/api/shares/{revoked['id']}").status == 204
    age(unbound, "shares", "expires_at", 2, [expired["id"]])
    assert owner("DELETE", f"/api/documents/{docs[2]['id']}").status == 204
    gone_ws = str(owner("POST", "/api/workspaces", {"name": "Gone"}).body["id"])
    in_gone = share(owner, create(owner, gone_ws)["id"])
    assert owner("DELETE", f"/api/workspaces/{gone_ws}").status == 204
    for token in (
        revoked["token"],
        expired["token"],
        trashed["token"],
        in_gone["token"],
        "x" * 43,
        "short",
        "%00" * 10,
    ):
        answer = public(token)
        assert (answer.status, answer.body) == (404, NOT_FOUND), token
    assert owner("DELETE", f"/api/shares/{revoked['id']}").status == 404


def test_the_public_route_is_limited_per_client_ip(
    owner: Person, workspace: str, override_settings: Any
) -> None:
    override_settings(SHARE_IP_MAX=3)
    created = share(owner, create(owner, workspace)["id"])
    ip = client_ip()
    assert [public(created["token"], ip).status for _ in range(3)] == [200, 200, 200]
    limited = public(created["token"], ip)
    assert limited.status == 429 and "retry-after" in limited.headers
    assert public("y" * 43, ip).status == 429
    assert public(created["token"]).status == 200  # another client


def test_viewers_cannot_share_and_strangers_cannot_revoke(
    owner: Person, workspace: str, mail_server: MailServer
) -> None:
    viewer = member_of(mail_server, owner, workspace, "viewer")
    stranger = person(mail_server)
    doc = create(owner, workspace)
    created = share(owner, doc["id"])
    answer = viewer("POST", f"/api/documents/{doc['id']}/shares", {})
    assert (answer.status, answer.body) == (403, {"detail": "Not allowed"})
    assert viewer("DELETE", f"/api/shares/{created['id']}").status == 403
    assert stranger("DELETE", f"/api/shares/{created['id']}").body == NOT_FOUND
    assert stranger("GET", f"/api/documents/{doc['id']}/shares").body == NOT_FOUND
    assert public(created["token"]).status == 200
