"""Dependencies of the document routes: the document in the path with the caller's role in
its workspace (404 unless a member of its live workspace), and the If-Match version.

Dependencies are `async def` on purpose, see infra.db.get_db.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path

from ..workspaces.deps import Caller
from . import service
from .service import DocumentAccess

DocumentId = Annotated[str, Path(description="The document's id")]


async def get_document_access(tenant: Caller, document_id: DocumentId) -> DocumentAccess:
    return service.open_document(tenant.db, tenant.user, service.parse_id(document_id))


async def get_trashed_document_access(tenant: Caller, document_id: DocumentId) -> DocumentAccess:
    return service.open_document(
        tenant.db, tenant.user, service.parse_id(document_id), trashed=True
    )


LiveDocument = Annotated[DocumentAccess, Depends(get_document_access)]
TrashedDocument = Annotated[DocumentAccess, Depends(get_trashed_document_access)]


async def get_if_match(
    if_match: Annotated[
        str | None,
        Header(description='The ETag of the version the change was made on: `"<version>"`'),
    ] = None,
) -> int | None:
    return service.parse_if_match(if_match)


IfMatch = Annotated[int | None, Depends(get_if_match)]
