"""POST /api/auth/refresh - rotate a refresh token (body or cookie) into a new token pair."""

from mangum import Mangum

from mdcreator.auth import cookies, keys, signin
from mdcreator.auth.deps import PresentedRefreshToken, TokenDelivery
from mdcreator.auth.schemas import CookieToken, Token
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("refresh", keys.signs_tokens)


@app.post(
    "/api/auth/refresh",
    operation_id="refreshSession",
    tags=["sessions"],
    summary="Refresh the session's tokens",
    response_model=Token | CookieToken,
    responses={
        **error_responses(400, 401, 403, 413, 415, 422, 503),
        **cookies.set_cookie_docs(200, cookies.ISSUES_COOKIES),
    },
)
async def refresh(
    token: PresentedRefreshToken, db: DbSession, delivery: TokenDelivery
) -> Token | CookieToken:
    return delivery.answer(signin.refresh(db, token))


handler = Mangum(app, lifespan="off")
