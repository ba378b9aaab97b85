"""GET /api/auth/security-events - the caller's own security history, newest first."""

from typing import Annotated

from fastapi import Query
from mangum import Mangum

from mdcreator.auth import events, keys
from mdcreator.auth.deps import AccessToken
from mdcreator.auth.security_schemas import (
    Cursor,
    PageLimit,
    SecurityEventItem,
    SecurityEventPage,
)
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("security_events", keys.verifies_tokens)


@app.get(
    "/api/auth/security-events",
    summary="My security history",
    operation_id="listSecurityEvents",
    tags=["sessions"],
    response_model=SecurityEventPage,
    responses=error_responses(400, 401, 422, 503),
)
async def list_security_events(
    token: AccessToken,
    db: DbSession,
    limit: Annotated[PageLimit, Query()] = 25,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> SecurityEventPage:
    rows, next_cursor = events.list_events(db, token.sub, limit, cursor)
    items = [SecurityEventItem.model_validate(row) for row in rows]
    return SecurityEventPage(items=items, next_cursor=next_cursor)


handler = Mangum(app, lifespan="off")
