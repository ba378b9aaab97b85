"""Share links of a document: create one (its token shown once), list them, revoke one."""

from typing import Annotated

from fastapi import Path, Response, status
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.documents import shares
from mdcreator.documents.deps import LiveDocument
from mdcreator.documents.schemas import ShareCreate, ShareCreated, SharePage
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces.deps import Caller, PageQuery

app = create_app("shares", keys.verifies_tokens)
ShareId = Annotated[str, Path(description="The share's id")]


@app.post(
    "/api/documents/{document_id}/shares",
    summary="Create a public read-only link (editor+); the token is in this answer only",
    operation_id="createShare",
    tags=["shares"],
    status_code=status.HTTP_201_CREATED,
    response_model=ShareCreated,
    responses=error_responses(401, 403, 404, 413, 415, 422, 503),
)
async def create_share(body: ShareCreate, entry: LiveDocument) -> ShareCreated:
    return shares.create_share(entry, body.expires_in_days)


@app.get(
    "/api/documents/{document_id}/shares",
    summary="A document's links that are not revoked, without tokens (editor+)",
    operation_id="listShares",
    tags=["shares"],
    response_model=SharePage,
    responses=error_responses(400, 401, 403, 404, 422, 503),
)
async def list_shares(entry: LiveDocument, page: PageQuery) -> SharePage:
    return shares.list_shares(entry, page.limit, page.cursor)


@app.delete(
    "/api/shares/{share_id}",
    summary="Revoke a link (editor+)",
    operation_id="revokeShare",
    tags=["shares"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404, 503),
)
async def revoke_share(caller: Caller, share_id: ShareId) -> Response:
    shares.revoke_share(caller.db, caller.user, shares.parse_share_id(share_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


handler = Mangum(app, lifespan="off")
