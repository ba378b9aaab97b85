"""Documents: create and list a workspace's, read, change and delete one; the trash and
restoring from it."""

from typing import Annotated

from fastapi import Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.core.config import get_settings
from mdcreator.documents import service
from mdcreator.documents.deps import IfMatch, LiveDocument, TrashedDocument
from mdcreator.documents.models import Document
from mdcreator.documents.schemas import (
    DocumentCreate,
    DocumentPage,
    DocumentResponse,
    DocumentUpdate,
    TrashPage,
)
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces.deps import PageQuery, WorkspaceAccess
from mdcreator.workspaces.permissions import Action

# A whole document travels in the JSON body: the body guard admits its escaped form.
app = create_app(
    "documents", keys.verifies_tokens, max_body_bytes=get_settings().document_body_bytes()
)
MARKDOWN = "text/markdown; charset=utf-8"
ETAG_HEADER = {"ETag": {"description": 'The version: `"<version>"`', "schema": {"type": "string"}}}


def _answer(document: Document, code: int = status.HTTP_200_OK, **headers: str) -> JSONResponse:
    body = DocumentResponse.model_validate(document).model_dump(mode="json")
    return JSONResponse(
        body, status_code=code, headers={"ETag": service.etag(document.version), **headers}
    )


@app.post(
    "/api/workspaces/{workspace_id}/documents",
    summary="Create a document (editor+), at the top level or under `parent_id`",
    operation_id="createDocument",
    tags=["documents"],
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentResponse,
    responses={
        201: {"headers": ETAG_HEADER},
        **error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    },
)
async def create_document(body: DocumentCreate, access: WorkspaceAccess) -> JSONResponse:
    document = service.create_document(access, body)
    location = f"/api/documents/{document.id}"
    return _answer(document, status.HTTP_201_CREATED, Location=location)


@app.get(
    "/api/workspaces/{workspace_id}/documents",
    summary="A workspace's live documents without content, newest change first",
    operation_id="listDocuments",
    tags=["documents"],
    response_model=DocumentPage,
    responses=error_responses(400, 401, 404, 422, 503),
)
async def list_documents(
    access: WorkspaceAccess,
    page: PageQuery,
    parent_id: Annotated[
        str | None,
        Query(
            description="One level: the children of this document, or `root` for the top level",
            pattern=r"^(root|[0-9a-fA-F-]{32,36})$",
        ),
    ] = None,
) -> DocumentPage:
    top_level = parent_id == "root"
    parent = None if parent_id in (None, "root") else service.parse_parent(parent_id)
    return service.list_documents(access, parent, top_level, page.limit, page.cursor)


@app.get(
    "/api/documents/{document_id}",
    summary="A document; `Accept: text/markdown` for its content alone",
    operation_id="getDocument",
    tags=["documents"],
    response_model=DocumentResponse,
    responses={
        200: {
            "headers": ETAG_HEADER,
            "content": {"text/markdown": {"schema": {"type": "string"}}},
        },
        304: {"description": "If-None-Match names the current version"},
        **error_responses(401, 404, 503),
    },
)
async def read_document(
    request: Request,
    entry: LiveDocument,
    if_none_match: Annotated[str | None, Header(description="An ETag held")] = None,
) -> Response:
    entry.require(Action.READ_DOCUMENTS)
    document = entry.document
    tag = service.etag(document.version)
    if if_none_match is not None and tag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    if _prefers_markdown(request.headers.get("accept", "")):
        return Response(document.content, media_type=MARKDOWN, headers={"ETag": tag})
    return _answer(document)


def _prefers_markdown(accept: str) -> bool:
    types = [part.split(";", 1)[0].strip().lower() for part in accept.split(",")]
    return "text/markdown" in types and "application/json" not in types


@app.patch(
    "/api/documents/{document_id}",
    summary="Change a document's title, content or parent (editor+); needs If-Match",
    operation_id="updateDocument",
    tags=["documents"],
    response_model=DocumentResponse,
    responses={
        200: {"headers": ETAG_HEADER},
        **error_responses(401, 403, 404, 412, 413, 415, 422, 428, 503),
    },
)
async def update_document(
    body: DocumentUpdate, entry: LiveDocument, expected: IfMatch
) -> JSONResponse:
    return _answer(service.update_document(entry, expected, body))


@app.delete(
    "/api/documents/{document_id}",
    summary="Move a document and its descendants to the trash (editor+)",
    operation_id="deleteDocument",
    tags=["documents"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404, 503),
)
async def delete_document(entry: LiveDocument) -> Response:
    service.trash_document(entry)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@app.post(
    "/api/documents/{document_id}/restore",
    summary="Bring a document back from the trash with what was trashed with it (editor+)",
    operation_id="restoreDocument",
    tags=["documents"],
    response_model=DocumentResponse,
    responses={200: {"headers": ETAG_HEADER}, **error_responses(401, 403, 404, 409, 503)},
)
async def restore_document(entry: TrashedDocument) -> JSONResponse:
    return _answer(service.restore_document(entry))


@app.get(
    "/api/workspaces/{workspace_id}/trash",
    summary="What was deleted in a workspace, newest first (editor+)",
    operation_id="listTrash",
    tags=["documents"],
    response_model=TrashPage,
    responses=error_responses(400, 401, 403, 404, 422, 503),
)
async def list_trash(access: WorkspaceAccess, page: PageQuery) -> TrashPage:
    return service.list_trash(access, page.limit, page.cursor)


handler = Mangum(app, lifespan="off")
