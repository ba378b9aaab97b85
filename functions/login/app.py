"""POST /api/auth/login - exchange email and password for tokens."""

from mangum import Mangum

from mdcreator.auth import cookies, keys
from mdcreator.auth.deps import LoginCredentials, TokenDelivery
from mdcreator.auth.login import log_in
from mdcreator.auth.schemas import CookieToken, LoginToken
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp, DbSession
from mdcreator.http.errors import error_responses
from mdcreator.infra import mail

app = create_app("login", keys.signs_tokens)
mail.get_backend()  # new-device mails: refuse to start without a relay where one is required


@app.post(
    "/api/auth/login",
    operation_id="login",
    tags=["auth"],
    summary="Log in",
    response_model=LoginToken | CookieToken,
    responses={
        **error_responses(401, 403, 413, 415, 422, 429, 503),
        **cookies.set_cookie_docs(200, cookies.ISSUES_COOKIES),
    },
)
async def login(
    credentials: LoginCredentials, db: DbSession, client_ip: ClientIp, delivery: TokenDelivery
) -> LoginToken | CookieToken:
    return delivery.answer(log_in(db, credentials, client_ip))


handler = Mangum(app, lifespan="off")
