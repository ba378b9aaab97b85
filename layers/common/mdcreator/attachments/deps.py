"""Dependencies of the attachment routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path

from .service import parse_id


async def get_attachment_id(
    attachment_id: Annotated[str, Path(description="The attachment's id")],
) -> uuid.UUID:
    return parse_id(attachment_id)


AttachmentId = Annotated[uuid.UUID, Depends(get_attachment_id)]
