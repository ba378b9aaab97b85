"""Errors of attachments, each in the category that decides its HTTP answer."""

from __future__ import annotations

from ..core.errors import Conflict, NotFound, TooLarge, Unprocessable, UnsupportedType


class AttachmentNotFound(NotFound):
    """Not in a workspace of the caller's, deleted, refused or no such id: indistinguishable."""


class TypeNotAccepted(UnsupportedType):
    detail = "Accepted types: PNG, JPEG, GIF, WebP, PDF and plain text"


class FileTooLarge(TooLarge):
    detail = "File too large"


class StorageFull(Conflict):
    """The workspace's pending and ready attachments would exceed its quota."""

    detail = "The workspace's storage is full"


class NotReady(Conflict):
    """Downloading an attachment whose upload has not been completed."""

    detail = "The upload is not complete"


class UploadRejected(Unprocessable):
    """The object is absent, or its size or first bytes are not what was declared."""

    detail = "The uploaded file is missing or does not match its declared size and type"
