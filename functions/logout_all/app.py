"""POST /api/auth/logout-all - end every session of the caller, on every device."""

from fastapi import Response
from mangum import Mangum

from mdcreator.auth import access, cookies, events, keys
from mdcreator.auth.deps import AccessToken
from mdcreator.auth.events import EventKind
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses
from mdcreator.http.schemas import Message

app = create_app("logout_all", keys.verifies_tokens)


@app.post(
    "/api/auth/logout-all",
    operation_id="logoutAll",
    tags=["sessions"],
    summary="Log out everywhere",
    response_model=Message,
    responses={
        **error_responses(401, 503),
        **cookies.set_cookie_docs(200, cookies.CLEARS_COOKIES),
    },
)
async def logout_all(token: AccessToken, response: Response, db: DbSession) -> Message:
    access.logout_everywhere(token)
    events.record(db, token.sub, EventKind.LOGOUT_ALL, session_id=token.sid)
    cookies.clear_session_cookies(response)
    return Message(message="Logged out of all sessions")


handler = Mangum(app, lifespan="off")
