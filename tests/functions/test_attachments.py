"""Attachments through the handlers, uploads through real multipart POSTs to the local S3
(moto's server): the contract, the refusals, the quota, the purge with a moved clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.support.attachments import (
    pdf,
    png,
    post_form,
    ready,
    start,
    stored,
    uploaded,
)
from tests.support.mail import MailServer
from tests.support.services import TEST_BUCKET
from tests.support.unbound import Unbound
from tests.support.workspaces import Person, person
from tools.moto import LOCAL_CREDENTIALS, MotoServer

NOT_FOUND = {"detail": "Not found"}
MB = 1024 * 1024


@pytest.fixture
def owner(mail_server: MailServer) -> Person:
    return person(mail_server)


@pytest.fixture
def workspace(owner: Person) -> str:
    return str(owner("POST", "/api/workspaces", {"name": "Files"}).body["id"])


def _key(workspace: str, attachment: str) -> str:
    return f"workspaces/{workspace}/{attachment}"


def _policy(upload: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(upload["fields"]["policy"])))


def test_an_image_goes_to_s3_completes_and_downloads_inline(owner: Person, workspace: str) -> None:
    content = png(4000)
    answer = start(owner, workspace, content, filename="Holiday <1>.png")
    assert answer.status == 201, answer.body
    created = answer.body
    assert set(created) == {"id", "status", "upload", "expires_at"}
    assert created["status"] == "pending"
    key = created["upload"]["fields"]["key"]
    # The key is ours, under the workspace's prefix; the filename is nowhere in it.
    assert key == _key(workspace, created["id"])
    expires = datetime.fromisoformat(created["expires_at"])
    assert timedelta(seconds=890) < expires - datetime.now(UTC) <= timedelta(seconds=900)

    assert post_form(created["upload"], content, "image/png").status_code == 204
    done = owner("POST", f"/api/attachments/{created['id']}/complete")
    assert done.status == 200, done.body
    assert {k: done.body[k] for k in ("id", "status", "size", "content_type", "filename")} == {
        "id": created["id"],
        "status": "ready",
        "size": 4000,
        "content_type": "image/png",
        "filename": "Holiday <1>.png",
    }
    again = owner("POST", f"/api/attachments/{created['id']}/complete")
    assert (again.status, again.body) == (200, done.body)

    redirect = owner("GET", f"/api/attachments/{created['id']}")
    assert redirect.status == 302
    assert redirect.headers["x-content-type-options"] == "nosniff"
    location = redirect.headers["location"]
    assert "X-Amz-Expires=300" in location
    fetched = httpx.get(location)
    assert fetched.status_code == 200
    assert fetched.content == content
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.headers["content-disposition"].startswith("inline;")


@pytest.mark.parametrize(
    ("content", "content_type", "served"),
    [
        (pdf(), "application/pdf", "application/pdf"),
        (b"<script>alert(1)</script> plain words", "text/plain", "text/plain; charset=utf-8"),
    ],
)
def test_anything_but_an_image_downloads_as_an_attachment(
    owner: Person, workspace: str, content: bytes, content_type: str, served: str
) -> None:
    attachment = ready(owner, workspace, content, content_type)
    fetched = httpx.get(owner("GET", f"/api/attachments/{attachment}").headers["location"])
    assert fetched.content == content
    assert fetched.headers["content-type"] == served
    assert fetched.headers["content-disposition"].startswith('attachment; filename="picture.png"')


def test_the_signed_policy_pins_the_key_the_type_and_the_length(
    owner: Person, workspace: str
) -> None:
    answer = start(owner, workspace, png(1234))
    upload = answer.body["upload"]
    conditions = _policy(upload)["conditions"]
    assert {"key": _key(workspace, answer.body["id"])} in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, 1234] in conditions
    assert {"bucket": TEST_BUCKET} in conditions
    # The signature covers the policy: changing the key means a new signature, which takes
    # the function's credentials (SigV4 signing key over the policy, as S3 checks it).
    fields = upload["fields"]
    _, date, region, service, _ = fields["x-amz-credential"].split("/")
    secret = LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    signing_key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(signing_key, fields["policy"].encode(), hashlib.sha256).hexdigest()
    assert fields["x-amz-signature"] == expected


def test_a_body_larger_than_declared_is_refused_by_complete(
    owner: Person, workspace: str, local_aws: MotoServer
) -> None:
    answer = start(owner, workspace, png(1000))
    # moto's server does not check the policy (no content-length-range, key or signature
    # check): the larger body lands, and complete is what refuses it. S3 itself answers
    # 400 EntityTooLarge to this POST.
    sent = post_form(answer.body["upload"], png(5000), "image/png")
    assert sent.status_code == 204
    key = _key(workspace, answer.body["id"])
    assert stored(local_aws.url, TEST_BUCKET, key) is not None
    refused = owner("POST", f"/api/attachments/{answer.body['id']}/complete")
    assert refused.status == 422
    assert stored(local_aws.url, TEST_BUCKET, key) is None
    assert owner("GET", f"/api/workspaces/{workspace}/attachments").body["items"] == []
    assert owner("GET", f"/api/attachments/{answer.body['id']}").body == NOT_FOUND


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (png(), "application/pdf"),
        (pdf(), "image/png"),
        (b"<html>" + b"\0" * 100, "text/plain"),
        (png(), "text/plain"),
        (b"GIF89a" + b"\0" * 20, "image/jpeg"),
    ],
    ids=["png-as-pdf", "pdf-as-png", "nul-as-text", "png-as-text", "gif-as-jpeg"],
)
def test_first_bytes_of_another_type_fail_complete(
    owner: Person, workspace: str, local_aws: MotoServer, content: bytes, declared: str
) -> None:
    attachment = uploaded(owner, workspace, content, declared)
    answer = owner("POST", f"/api/attachments/{attachment}/complete")
    assert answer.status == 422
    assert stored(local_aws.url, TEST_BUCKET, _key(workspace, attachment)) is None


def test_complete_before_any_upload_is_422_and_releases_the_quota(
    owner: Person, workspace: str, override_settings: Callable[..., None]
) -> None:
    override_settings(WORKSPACE_STORAGE_QUOTA_MB=1)
    first = start(owner, workspace, png(MB))
    assert first.status == 201
    assert start(owner, workspace, png(10)).status == 409
    assert owner("POST", f"/api/attachments/{first.body['id']}/complete").status == 422
    assert start(owner, workspace, png(MB)).status == 201


def test_declarations_outside_the_contract_are_refused(
    owner: Person, workspace: str, override_settings: Callable[..., None]
) -> None:
    for content_type in ("text/html", "image/svg+xml", "application/octet-stream", "IMAGE/PNG"):
        answer = start(owner, workspace, png(), content_type)
        assert answer.status == 415, content_type
    assert start(owner, workspace, b"", size=50 * MB + 1).status == 413
    assert start(owner, workspace, b"", size=50 * MB).status == 201
    for bad in ({"size": 0}, {"size": -1}, {"size": "12"}, {"filename": "a\0b"}, {"filename": ""}):
        assert start(owner, workspace, png(), **bad).status == 422, bad
    override_settings(MAX_UPLOAD_SIZE_MB=1)
    assert start(owner, workspace, b"", size=MB + 1).status == 413


def test_a_path_in_the_filename_keeps_its_last_part(owner: Person, workspace: str) -> None:
    attachment = ready(owner, workspace, png())
    answer = start(owner, workspace, png(), filename="../../etc/passwd")
    assert answer.body["upload"]["fields"]["key"] == _key(workspace, answer.body["id"])
    listed = owner("GET", f"/api/workspaces/{workspace}/attachments").body["items"]
    assert [item["filename"] for item in listed] == ["picture.png", "passwd"]
    assert listed[0]["id"] == attachment


def test_pending_downloads_are_409(owner: Person, workspace: str) -> None:
    attachment = uploaded(owner, workspace, png())
    answer = owner("GET", f"/api/attachments/{attachment}")
    assert answer.status == 409


def test_the_quota_counts_pending_and_ready_and_delete_releases_it(
    owner: Person, workspace: str, local_aws: MotoServer, override_settings: Callable[..., None]
) -> None:
    override_settings(WORKSPACE_STORAGE_QUOTA_MB=1)
    kept = ready(owner, workspace, png(MB // 2))
    pending = start(owner, workspace, png(MB // 2 - 10))
    assert pending.status == 201
    full = start(owner, workspace, png(11))
    assert (full.status, full.body) == (409, {"detail": "The workspace's storage is full"})
    assert owner("DELETE", f"/api/attachments/{kept}").status == 204
    assert stored(local_aws.url, TEST_BUCKET, _key(workspace, kept)) is None
    assert owner("GET", f"/api/attachments/{kept}").body == NOT_FOUND
    assert start(owner, workspace, png(11)).status == 201


def test_the_listing_pages_with_a_cursor(owner: Person, workspace: str) -> None:
    made = [start(owner, workspace, png()).body["id"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = owner("GET", f"/api/workspaces/{workspace}/attachments{query}").body
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made


def test_another_workspaces_member_gets_404_and_its_own_fields_reach_only_its_key(
    owner: Person, workspace: str, mail_server: MailServer, local_aws: MotoServer
) -> None:
    attachment = ready(owner, workspace, png())
    outsider = person(mail_server)
    theirs = str(outsider("POST", "/api/workspaces", {"name": "Theirs"}).body["id"])
    for method, path in [
        ("GET", f"/api/attachments/{attachment}"),
        ("POST", f"/api/attachments/{attachment}/complete"),
        ("DELETE", f"/api/attachments/{attachment}"),
        ("GET", f"/api/workspaces/{workspace}/attachments"),
    ]:
        answer = outsider(method, path)
        assert (answer.status, answer.body) == (404, NOT_FOUND), path
    # The outsider's own upload form names its own key; pointing it at the victim's key is
    # outside the signed policy (refused by S3). What complete reads is always the key of
    # the attachment's own row, so nothing uploaded elsewhere is ever checked or served.
    form = start(outsider, theirs, png()).body
    assert form["upload"]["fields"]["key"] == _key(theirs, form["id"])
    assert {"key": _key(theirs, form["id"])} in _policy(form["upload"])["conditions"]
    assert stored(local_aws.url, TEST_BUCKET, _key(workspace, attachment)) == png()


def test_a_deleted_workspaces_attachments_are_404_and_purged(
    owner: Person, workspace: str, local_aws: MotoServer
) -> None:
    from mdcreator.attachments.purge import purge

    attachment = ready(owner, workspace, png())
    assert owner("DELETE", f"/api/workspaces/{workspace}").status == 204
    assert owner("GET", f"/api/attachments/{attachment}").body == NOT_FOUND
    # The purge leaves it until its upload fields expire, so no late upload outlives it.
    _purge_at(purge, datetime.now(UTC))
    assert stored(local_aws.url, TEST_BUCKET, _key(workspace, attachment)) == png()
    _purge_at(purge, datetime.now(UTC) + timedelta(minutes=16))
    assert stored(local_aws.url, TEST_BUCKET, _key(workspace, attachment)) is None


def _purge_at(purge: Callable[..., Any], now: datetime) -> int:
    from sqlalchemy.orm import Session

    from mdcreator.infra.db import get_engine

    with Session(get_engine()) as db:
        return int(purge(db, now).objects)


def _row_count(attachment: str) -> int:
    """Rows the functions cannot see count too: the owner outside row-level security."""
    from mdcreator.core.config import get_settings

    unbound = Unbound(get_settings().database_url)
    try:
        with unbound.connect() as connection:
            return int(
                connection.scalar(
                    text("SELECT count(*) FROM attachments WHERE id = :i"), {"i": attachment}
                )
            )
    finally:
        unbound.dispose()


def test_the_purge_deletes_stale_uploads_and_discarded_ones_at_a_moved_clock(
    owner: Person, workspace: str, local_aws: MotoServer
) -> None:
    from mdcreator.attachments.purge import purge

    kept = ready(owner, workspace, png())
    stale = uploaded(owner, workspace, png())
    never_sent = start(owner, workspace, png()).body["id"]
    deleted = ready(owner, workspace, pdf(), "application/pdf")
    assert owner("DELETE", f"/api/attachments/{deleted}").status == 204
    # A late upload after the delete, with the fields still valid, is purged with the row.
    now = datetime.now(UTC)
    _purge_at(purge, now + timedelta(hours=23))
    assert _row_count(stale) == 1 and _row_count(never_sent) == 1
    assert _row_count(deleted) == 0
    _purge_at(purge, now + timedelta(hours=25))
    for gone in (stale, never_sent):
        assert _row_count(gone) == 0
        assert stored(local_aws.url, TEST_BUCKET, _key(workspace, gone)) is None
    assert _row_count(kept) == 1
    assert stored(local_aws.url, TEST_BUCKET, _key(workspace, kept)) == png()
    assert owner("GET", f"/api/attachments/{kept}").status == 302


def test_the_purge_function_runs_as_its_scheduled_event_invokes_it(
    owner: Person, workspace: str
) -> None:
    from tests.support.lambda_events import LambdaContext, load_event, load_function

    assert owner("DELETE", f"/api/attachments/{ready(owner, workspace, png())}").status == 204
    result = load_function("attachments_purge").handler(
        load_event("attachments_purge"), LambdaContext()
    )
    assert set(result) == {"purged"}


def test_row_level_security_shows_the_purge_no_ready_attachment(
    owner: Person, workspace: str
) -> None:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from mdcreator.infra.db import get_engine

    ready(owner, workspace, png())
    pending = start(owner, workspace, png()).body["id"]
    with Session(get_engine()) as db:
        assert db.scalar(text("SELECT count(*) FROM attachments")) == 0
        db.execute(text("SELECT set_config('mdc.purge', 'on', true)"))
        rows = db.execute(
            text("SELECT id, status FROM attachments WHERE workspace_id = :w"), {"w": workspace}
        ).all()
        forced = db.scalar(
            text("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'attachments'")
        )
    assert [(str(r.id), r.status) for r in rows] == [(pending, "pending")]
    assert forced is True


def test_unknown_and_malformed_ids_answer_the_same_404(owner: Person) -> None:
    for attachment in (str(uuid.uuid4()), "not-a-uuid"):
        for method, path in [
            ("GET", f"/api/attachments/{attachment}"),
            ("POST", f"/api/attachments/{attachment}/complete"),
            ("DELETE", f"/api/attachments/{attachment}"),
        ]:
            answer = owner(method, path)
            assert (answer.status, answer.body) == (404, NOT_FOUND), path
