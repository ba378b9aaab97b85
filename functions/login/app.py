"""POST /api/auth/login - exchange email and password for tokens."""

from mangum import Mangum

from mdcreator import service
from mdcreator.deps import ClientIp, DbSession
from mdcreator.schemas import LoginToken, UserLogin
from mdcreator.web import create_app, error_responses

app = create_app(tokens="sign")


@app.post(
    "/api/auth/login",
    summary="Log in",
    response_model=LoginToken,
    responses=error_responses(401, 413, 415, 422, 429, 503),
)
async def login(credentials: UserLogin, db: DbSession, client_ip: ClientIp) -> LoginToken:
    return service.login(db, credentials, client_ip)


handler = Mangum(app, lifespan="off")
