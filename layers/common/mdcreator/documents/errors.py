"""Errors of documents, each in the category that decides its HTTP answer."""

from __future__ import annotations

from ..core.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    TooLarge,
    Unprocessable,
)


class DocumentNotFound(NotFound):
    """Not in a workspace of the caller's, in the trash, or no such id: indistinguishable."""


class DocumentChanged(PreconditionFailed):
    """If-Match names a version that is no longer the document's; the answer names it."""

    detail = "Document changed"

    def __init__(self, current_version: int) -> None:
        super().__init__(f"current version {current_version}")
        self.current_version = current_version

    def body(self) -> dict[str, object]:
        return {"detail": self.detail, "current_version": self.current_version}


class IfMatchRequired(PreconditionRequired):
    """A change of a document without the version it was made on."""

    detail = 'If-Match required: send the ETag ("<version>") of the document you changed'


class DocumentTooLarge(TooLarge):
    """Content over MAX_DOCUMENT_BYTES in UTF-8."""

    detail = "Document too large"


class TooManyDocuments(Conflict):
    """The workspace holds MAX_DOCUMENTS_PER_WORKSPACE live documents already."""

    detail = "Too many documents in this workspace"


class InvalidParent(Unprocessable):
    """The parent is not a live document of the same workspace, or is the document itself
    or one of its descendants."""

    detail = "Invalid parent document"


class RevisionNotFound(NotFound):
    """No revision of this document holds that version."""


class ShareNotFound(NotFound):
    """Unknown, revoked, expired, of a trashed document, or not the caller's to see."""
