"""DELETE /api/auth/me - delete the caller's account (soft delete, every session ends)."""

from fastapi import Response, status
from mangum import Mangum

from mdcreator.auth import cookies, credentials, keys
from mdcreator.auth.deps import AccessToken, CurrentUser
from mdcreator.auth.schemas import AccountDelete
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp, DbSession
from mdcreator.http.errors import error_responses

app = create_app("delete_account", keys.verifies_tokens)


@app.delete(
    "/api/auth/me",
    operation_id="deleteAccount",
    tags=["account"],
    summary="Delete the account",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={
        **error_responses(401, 413, 415, 422, 429, 503),
        **cookies.set_cookie_docs(204, cookies.CLEARS_COOKIES),
    },
)
async def delete_account(
    body: AccountDelete, user: CurrentUser, token: AccessToken, db: DbSession, client_ip: ClientIp
) -> Response:
    credentials.delete_account(db, user, body.password, client_ip, session_id=token.sid)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    cookies.clear_session_cookies(response)
    return response


handler = Mangum(app, lifespan="off")
