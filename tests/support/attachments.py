"""Attachment stories: files of each type, a browser's multipart upload to the presigned
POST, and a look into the local S3."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.workspaces import Person

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def png(size: int = 256) -> bytes:
    return (PNG + b"\0" * size)[:size]


def pdf(size: int = 256) -> bytes:
    return (PDF + b"0" * size)[:size]


def start(
    who: Person, workspace: str, content: bytes, content_type: str = "image/png", **body: Any
) -> Any:
    declared = {"filename": "picture.png", "content_type": content_type, "size": len(content)}
    return who("POST", f"/api/workspaces/{workspace}/attachments", {**declared, **body})


def post_form(upload: dict[str, Any], content: bytes, content_type: str) -> httpx.Response:
    """What a browser's FormData POST sends: the fields, then the file as the last part."""
    files = {"file": ("blob", content, content_type)}
    return httpx.post(upload["url"], data=upload["fields"], files=files, timeout=60)


def uploaded(
    who: Person, workspace: str, content: bytes, content_type: str = "image/png", **body: Any
) -> str:
    """A pending attachment whose object is in S3; its id."""
    answer = start(who, workspace, content, content_type, **body)
    assert answer.status == 201, answer.body
    sent = post_form(answer.body["upload"], content, content_type)
    assert sent.status_code == 204, sent.text
    return str(answer.body["id"])


def ready(who: Person, workspace: str, content: bytes, content_type: str = "image/png") -> str:
    attachment = uploaded(who, workspace, content, content_type)
    answer = who("POST", f"/api/attachments/{attachment}/complete")
    assert answer.status == 200, answer.body
    return attachment


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint)


def stored(endpoint: str, bucket: str, key: str) -> bytes | None:
    """The object's bytes in the local S3, None when there is none."""
    client = s3_client(endpoint)
    try:
        return bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())
    except client.exceptions.NoSuchKey:
        return None
