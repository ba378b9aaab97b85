"""A shared document for anyone with its link: no account, read-only, limited per client IP."""

from typing import Annotated

from fastapi import Path
from mangum import Mangum

from mdcreator.documents import render, shares
from mdcreator.documents.schemas import PublicDocument
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp, DbSession
from mdcreator.http.errors import error_responses

app = create_app("public_share")


@app.get(
    "/api/public/shares/{token}",
    summary="A shared document's title, HTML and last change; any link not live is one 404",
    operation_id="getSharedDocument",
    tags=["shares"],
    response_model=PublicDocument,
    responses=error_responses(404, 429, 503),
)
async def read_shared_document(
    token: Annotated[str, Path(description="The token of the link")], db: DbSession, ip: ClientIp
) -> PublicDocument:
    shares.limit_client(ip)
    title, content, updated_at = shares.read_shared(db, token)
    return PublicDocument(title=title, html=render.to_html(content), updated_at=updated_at)


handler = Mangum(app, lifespan="off")
