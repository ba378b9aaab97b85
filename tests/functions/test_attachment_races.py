"""The quota under parallel uploads: each request in its own thread with its own engine, as
Lambda environments run, released at one moment."""

from __future__ import annotations

from collections.abc import Callable

from tests.functions.test_workspace_races import _separate_environments, _together
from tests.support.attachments import png
from tests.support.mail import MailServer
from tests.support.workspaces import member_of, person

__all__ = ["_separate_environments"]  # the fixture, autouse here too
KB = 1024


def test_parallel_uploads_never_reserve_more_than_the_quota(
    mail_server: MailServer, override_settings: Callable[..., None]
) -> None:
    override_settings(WORKSPACE_STORAGE_QUOTA_MB=1)
    owner = person(mail_server)
    workspace = owner("POST", "/api/workspaces", {"name": "Race"}).body["id"]
    editor = member_of(mail_server, owner, workspace, "editor")
    body = {"filename": "a.png", "content_type": "image/png", "size": len(png(300 * KB))}
    path = f"/api/workspaces/{workspace}/attachments"
    answers = _together(*[(who, "POST", path, body) for who in (owner, editor) * 4])
    statuses = sorted(answer.status for answer in answers)
    # 3 x 300 KB fit in 1 MB, a fourth does not.
    assert statuses == [201] * 3 + [409] * 5, statuses
    listed = owner("GET", f"{path}?limit=100").body["items"]
    assert sum(item["size"] for item in listed) == 3 * 300 * KB
