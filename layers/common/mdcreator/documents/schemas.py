"""Request and response bodies of documents, revisions and shares."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..http.schemas import Moment


def _clean_title(value: str) -> str:
    # Titles go into lists, tabs and page titles: no control characters (nor lone
    # surrogates, which Postgres refuses) in them.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError("must not contain control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _storable(value: str) -> str:
    # Postgres text holds neither NUL nor a lone surrogate (valid JSON as \\u escapes): either
    # would be a 500 on INSERT; markdown has no use for them.
    if "\x00" in value:
        raise ValueError("must not contain NUL")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean_title)]
# The byte limit (MAX_DOCUMENT_BYTES, 413) is the service's: a setting, and its own status.
Content = Annotated[str, AfterValidator(_storable)]
ExpiresInDays = Annotated[int, Field(ge=1, le=365)]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentCreate(RequestModel):
    title: Title
    content: Content = ""
    parent_id: uuid.UUID | None = None


class DocumentUpdate(RequestModel):
    """Only what is sent changes; `parent_id: null` moves the document to the top level."""

    title: Title | None = None
    content: Content | None = None
    parent_id: uuid.UUID | None = None


class DocumentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    parent_id: uuid.UUID | None
    title: str
    version: int
    created_at: Moment
    updated_at: Moment
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None


class DocumentResponse(DocumentSummary):
    content: str


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    next_cursor: str | None


class TrashedDocument(DocumentSummary):
    trashed_at: Moment
    trashed_by: uuid.UUID | None


class TrashPage(BaseModel):
    items: list[TrashedDocument]
    next_cursor: str | None


class Author(BaseModel):
    user_id: uuid.UUID | None
    display_name: str | None


class RevisionSummary(BaseModel):
    version: int
    title: str
    created_at: Moment
    author: Author


class RevisionResponse(RevisionSummary):
    content: str


class RevisionPage(BaseModel):
    items: list[RevisionSummary]
    next_cursor: str | None


class RevisionDiff(BaseModel):
    diff: str


class RenderedDocument(BaseModel):
    title: str
    version: int
    html: str


class ShareCreate(RequestModel):
    expires_in_days: ExpiresInDays | None = None


class ShareSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    created_by: uuid.UUID | None
    created_at: Moment
    expires_at: Moment | None


class ShareCreated(BaseModel):
    """The token is in this answer only; the server keeps its digest."""

    id: uuid.UUID
    url: str
    token: str
    expires_at: Moment | None


class SharePage(BaseModel):
    items: list[ShareSummary]
    next_cursor: str | None


class PublicDocument(BaseModel):
    title: str
    html: str
    updated_at: Moment


# A query is held to what a title is: no control characters (NUL above all), not blank.
SearchText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean_title)]
SearchLimit = Annotated[int, Field(ge=1, le=50)]


class SearchHit(BaseModel):
    document_id: uuid.UUID
    title: str
    snippet: str = Field(description="Plain text around the best match in the body")
    highlights: list[tuple[int, int]] = Field(
        description="`[start, end)` offsets in code points of the matched terms in `snippet`"
    )
    rank: float = Field(
        description="Word matches: ts_rank_cd (higher is better); substring matches: 0"
    )
    updated_at: Moment


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None
