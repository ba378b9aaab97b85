"""A document rendered: its markdown as sanitized HTML."""

from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.documents import render
from mdcreator.documents.deps import LiveDocument
from mdcreator.documents.schemas import RenderedDocument
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces.permissions import Action

app = create_app("document_html", keys.verifies_tokens)


@app.get(
    "/api/documents/{document_id}/html",
    summary="A document as HTML: CommonMark with GitHub's extensions, sanitized by an allowlist",
    operation_id="renderDocument",
    tags=["documents"],
    response_model=RenderedDocument,
    responses=error_responses(401, 404, 503),
)
async def render_document(entry: LiveDocument) -> RenderedDocument:
    entry.require(Action.READ_DOCUMENTS)
    document = entry.document
    return RenderedDocument(
        title=document.title, version=document.version, html=render.to_html(document.content)
    )


handler = Mangum(app, lifespan="off")
