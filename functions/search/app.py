"""Search a workspace's live documents: words, phrases, half words, Chinese and Japanese."""

from typing import Annotated

from fastapi import Query
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.documents import search
from mdcreator.documents.schemas import SearchLimit, SearchPage, SearchText
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces.deps import WorkspaceAccess
from mdcreator.workspaces.schemas import Cursor

app = create_app("search", keys.verifies_tokens)


@app.get(
    "/api/workspaces/{workspace_id}/search",
    summary="Documents that match `q` (web-search syntax), best first, with a snippet",
    operation_id="searchDocuments",
    tags=["search"],
    response_model=SearchPage,
    responses=error_responses(400, 401, 404, 422, 429, 503),
)
async def search_documents(
    access: WorkspaceAccess,
    q: Annotated[
        SearchText,
        Query(description='Words (all must match), `"a phrase"`, `-excluded`, `or`'),
    ],
    limit: Annotated[SearchLimit, Query(description="Hits per page")] = 20,
    cursor: Annotated[
        Cursor | None, Query(description="`next_cursor` of the previous page (opaque)")
    ] = None,
) -> SearchPage:
    return search.search(access, q, limit, cursor)


handler = Mangum(app, lifespan="off")
