"""POST /api/auth/password - change the password; every other session ends."""

from fastapi import Response
from mangum import Mangum

from mdcreator.auth import cookies, credentials, keys
from mdcreator.auth.deps import AccessToken, CurrentUser
from mdcreator.auth.schemas import PasswordChange
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp, DbSession
from mdcreator.http.errors import error_responses
from mdcreator.http.schemas import Message

app = create_app("password", keys.verifies_tokens)


@app.post(
    "/api/auth/password",
    operation_id="changePassword",
    tags=["account"],
    summary="Change the password",
    response_model=Message,
    responses={
        **error_responses(401, 413, 415, 422, 429, 503),
        **cookies.set_cookie_docs(200, cookies.CLEARS_DEVICE_COOKIE),
    },
)
async def change_password(
    body: PasswordChange,
    user: CurrentUser,
    token: AccessToken,
    db: DbSession,
    client_ip: ClientIp,
    response: Response,
) -> Message:
    credentials.change_password(
        db, user, token, body.current_password, body.new_password, client_ip
    )
    cookies.clear_device_cookie(response)
    return Message(message="Password changed")


handler = Mangum(app, lifespan="off")
