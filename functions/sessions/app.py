"""GET /api/auth/sessions, DELETE /api/auth/sessions/{id} - the caller's own sessions; and
POST /api/auth/sessions/deny - the "this was not me" link of a new-device mail."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status
from mangum import Mangum

from mdcreator.auth import devices, keys, session_list
from mdcreator.auth.deps import AccessToken
from mdcreator.auth.schemas import LinkTokenBody
from mdcreator.auth.security_schemas import Cursor, PageLimit, ResetGrant, SessionPage
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("sessions", keys.verifies_tokens)


@app.get(
    "/api/auth/sessions",
    summary="List my sessions",
    operation_id="listSessions",
    tags=["sessions"],
    response_model=SessionPage,
    responses=error_responses(400, 401, 422, 503),
)
async def list_sessions(
    token: AccessToken,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> SessionPage:
    return session_list.list_own_sessions(token, limit, cursor)


@app.delete(
    "/api/auth/sessions/{session_id}",
    summary="Sign one of my sessions out",
    operation_id="revokeSession",
    tags=["sessions"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404, 422, 503),
)
async def revoke_session(session_id: uuid.UUID, token: AccessToken, db: DbSession) -> Response:
    session_list.end_own_session(db, token, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@app.post(
    "/api/auth/sessions/deny",
    summary="This was not me: sign out the device of a new-device mail",
    operation_id="denySession",
    tags=["sessions"],
    response_model=ResetGrant,
    responses=error_responses(400, 413, 415, 422, 503),
)
async def deny_session(body: LinkTokenBody, db: DbSession) -> ResetGrant:
    reset_token = devices.deny_session(db, body.token)
    return ResetGrant(
        message="That device is signed out; choose a new password now", reset_token=reset_token
    )


handler = Mangum(app, lifespan="off")
