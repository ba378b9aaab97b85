"""POST /api/auth/logout - revoke the presented access token and its session."""

from fastapi import Response
from mangum import Mangum

from mdcreator.auth import access, cookies, keys
from mdcreator.auth.access import AccessToken
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.http.schemas import Message

app = create_app("logout", keys.verifies_tokens)


@app.post(
    "/api/auth/logout",
    operation_id="logout",
    tags=["sessions"],
    summary="Log out",
    response_model=Message,
    responses={
        **error_responses(401, 503),
        **cookies.set_cookie_docs(200, cookies.CLEARS_REFRESH_COOKIE),
    },
)
async def logout(token: AccessToken, response: Response) -> Message:
    access.logout(token)
    cookies.clear_refresh_cookie(response)
    return Message(message="Logged out successfully")


handler = Mangum(app, lifespan="off")
