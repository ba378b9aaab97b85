"""Revisions of a document: list them, read one, diff two, restore one as a new version."""

from typing import Annotated

from fastapi import Path, Query
from fastapi.responses import JSONResponse
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.documents import revisions, service
from mdcreator.documents.deps import IfMatch, LiveDocument
from mdcreator.documents.schemas import (
    DocumentResponse,
    RevisionDiff,
    RevisionPage,
    RevisionResponse,
)
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces.deps import PageQuery
from mdcreator.workspaces.permissions import Action

app = create_app("revisions", keys.verifies_tokens)
Version = Annotated[
    int, Path(description="The document version the revision holds", ge=1, le=2**31 - 1)
]


@app.get(
    "/api/documents/{document_id}/revisions",
    summary="A document's revisions, newest first",
    operation_id="listRevisions",
    tags=["revisions"],
    response_model=RevisionPage,
    responses=error_responses(400, 401, 404, 422, 503),
)
async def list_revisions(entry: LiveDocument, page: PageQuery) -> RevisionPage:
    entry.require(Action.READ_DOCUMENTS)
    return revisions.list_revisions(entry.db, entry.document.id, page.limit, page.cursor)


@app.get(
    "/api/documents/{document_id}/revisions/{version}",
    summary="One revision, with its content",
    operation_id="getRevision",
    tags=["revisions"],
    response_model=RevisionResponse,
    responses=error_responses(401, 404, 422, 503),
)
async def read_revision(entry: LiveDocument, version: Version) -> RevisionResponse:
    entry.require(Action.READ_DOCUMENTS)
    return revisions.get_revision(entry.db, entry.document.id, version)


@app.get(
    "/api/documents/{document_id}/revisions/{version}/diff",
    summary="A unified diff from revision `against` to this one",
    operation_id="diffRevision",
    tags=["revisions"],
    response_model=RevisionDiff,
    responses=error_responses(401, 404, 422, 503),
)
async def diff_revision(
    entry: LiveDocument,
    version: Version,
    against: Annotated[int, Query(description="The other revision's version", ge=1, le=2**31 - 1)],
) -> RevisionDiff:
    entry.require(Action.READ_DOCUMENTS)
    return RevisionDiff(diff=revisions.diff(entry.db, entry.document.id, version, against))


@app.post(
    "/api/documents/{document_id}/revisions/{version}/restore",
    summary="Restore a revision as a new version (editor+); If-Match on the current version",
    operation_id="restoreRevision",
    tags=["revisions"],
    response_model=DocumentResponse,
    responses=error_responses(401, 403, 404, 412, 422, 428, 503),
)
async def restore_revision(
    entry: LiveDocument, version: Version, expected: IfMatch
) -> JSONResponse:
    document = service.restore_revision(entry, expected, version)
    body = DocumentResponse.model_validate(document).model_dump(mode="json")
    return JSONResponse(body, headers={"ETag": service.etag(document.version)})


handler = Mangum(app, lifespan="off")
