"""POST /api/auth/password/reset - a reset link's token sets a new password and logs in."""

from mangum import Mangum

from mdcreator.auth import cookies, keys, reset
from mdcreator.auth.deps import TokenDelivery
from mdcreator.auth.schemas import CookieToken, LoginToken, PasswordReset
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("password_reset", keys.signs_tokens)


@app.post(
    "/api/auth/password/reset",
    operation_id="resetPassword",
    tags=["mail-links"],
    summary="Reset the password with a mailed link",
    response_model=LoginToken | CookieToken,
    responses={
        **error_responses(400, 403, 413, 415, 422, 503),
        **cookies.set_cookie_docs(200, cookies.ISSUES_COOKIES),
    },
)
async def reset_password(
    body: PasswordReset, db: DbSession, delivery: TokenDelivery
) -> LoginToken | CookieToken:
    return delivery.answer(reset.reset_password(db, body.token, body.new_password))


handler = Mangum(app, lifespan="off")
