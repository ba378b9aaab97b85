"""Request and response bodies of attachments."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..http.schemas import Moment


def _clean_filename(value: str) -> str:
    # The name goes into Content-Disposition and into markdown: no control characters, and
    # no path, only the last part of one.
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in value):
        raise ValueError("must not contain control characters")
    value = value.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not value or value in (".", ".."):
        raise ValueError("must name a file")
    return value


Filename = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_clean_filename)]


class AttachmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: Filename
    # Checked against the accepted types by the service: another type is 415, not 422.
    content_type: Annotated[str, Field(min_length=1, max_length=100)]
    size: Annotated[int, Field(strict=True, ge=1, description="Bytes; at most MAX_UPLOAD_SIZE_MB")]


class UploadForm(BaseModel):
    """POST `fields` (then the file, last) as multipart/form-data to `url`."""

    url: str
    fields: dict[str, str]


class AttachmentCreated(BaseModel):
    id: uuid.UUID
    status: str
    upload: UploadForm
    expires_at: Moment


class AttachmentResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: str
    filename: str
    content_type: str
    size: int
    created_at: Moment


class AttachmentPage(BaseModel):
    items: list[AttachmentResponse]
    next_cursor: str | None
