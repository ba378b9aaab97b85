"""S3, through boto3: presigned POSTs and GETs, the first bytes of an object, deletes.

boto3 is part of the Lambda runtime, not of the layer, and only the attachment functions
import this module: the others never pay its import (about 0.3 s, and 0.5 s for a client).
The client is made once per execution environment. S3_ENDPOINT_URL points it at a local S3
API (moto's server); empty, it talks to AWS in the function's region.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..core.config import get_settings
from ..core.errors import DependencyUnavailable

# S3's answers for "no such object": NoSuchKey with s3:ListBucket (without it S3 says 403),
# InvalidRange for an empty object asked for its first bytes.
_ABSENT = {"NoSuchKey", "404", "NotFound"}
_EMPTY = {"InvalidRange"}


@lru_cache
def _client() -> Any:
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    endpoint = get_settings().s3_endpoint_url or None
    config = Config(
        signature_version="s3v4",
        connect_timeout=2,
        read_timeout=5,
        retries={"max_attempts": 2},
        # A local endpoint is an address, not a domain with a bucket in front.
        s3={"addressing_style": "path" if endpoint else "virtual"},
    )
    return boto3.client("s3", endpoint_url=endpoint, config=config)


def forget_client() -> None:
    """Drop the client (its connections), e.g. before a SnapStart snapshot or in tests."""
    _client.cache_clear()


def _unavailable(exc: Exception) -> DependencyUnavailable:
    return DependencyUnavailable(f"storage ({type(exc).__name__})")


@dataclass(frozen=True)
class Upload:
    url: str
    fields: dict[str, str]


def presign_post(key: str, content_type: str, size: int, ttl_s: int) -> Upload:
    """A browser form upload of exactly this key and Content-Type, 1..size bytes.

    Signing is local (no request to S3): the policy and its signature are all S3 checks.
    """
    conditions: list[Any] = [
        {"Content-Type": content_type},
        ["content-length-range", 1, size],
    ]
    post = _client().generate_presigned_post(
        get_settings().s3_bucket,
        key,
        Fields={"Content-Type": content_type},
        Conditions=conditions,
        ExpiresIn=ttl_s,
    )
    return Upload(url=post["url"], fields=dict(post["fields"]))


def _disposition(inline: bool, filename: str) -> str:
    """Content-Disposition with the name in ASCII and, for the rest, RFC 6266's filename*."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    encoded = urllib.parse.quote(filename, safe="")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def presign_get(key: str, content_type: str, filename: str, *, inline: bool, ttl_s: int) -> str:
    """A GET of the object that answers with our Content-Type and Content-Disposition,
    whatever the object's own metadata says."""
    params = {
        "Bucket": get_settings().s3_bucket,
        "Key": key,
        "ResponseContentType": content_type,
        "ResponseContentDisposition": _disposition(inline, filename),
        "ResponseCacheControl": "private, max-age=300",
    }
    url: str = _client().generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_s)
    return url


def first_bytes(key: str, count: int) -> tuple[int, bytes] | None:
    """(the object's size, its first `count` bytes) in one ranged GET; None if absent."""
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    try:
        answer = _client().get_object(
            Bucket=get_settings().s3_bucket, Key=key, Range=f"bytes=0-{count - 1}"
        )
        head: bytes = answer["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _ABSENT:
            return None
        if code in _EMPTY:
            return 0, b""
        raise _unavailable(exc) from exc
    except BotoCoreError as exc:
        raise _unavailable(exc) from exc
    total = int(str(answer.get("ContentRange", "")).rpartition("/")[2] or len(head))
    return total, head


def delete(keys: list[str]) -> None:
    """Delete objects (absent ones too), up to 1000 in one request."""
    from botocore.exceptions import BotoCoreError, ClientError

    if not keys:
        return
    try:
        answer = _client().delete_objects(
            Bucket=get_settings().s3_bucket,
            Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
        )
    except (BotoCoreError, ClientError) as exc:
        raise _unavailable(exc) from exc
    if answer.get("Errors"):
        raise DependencyUnavailable(f"storage (delete: {answer['Errors'][0].get('Code')})")
