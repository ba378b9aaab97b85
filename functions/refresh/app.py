"""POST /api/auth/refresh - rotate a refresh token into a new token pair."""

from mangum import Mangum

from mdcreator import service
from mdcreator.deps import DbSession
from mdcreator.schemas import RefreshRequest, Token
from mdcreator.web import create_app, error_responses

app = create_app(tokens="sign")


@app.post(
    "/api/auth/refresh",
    summary="Refresh the session's tokens",
    response_model=Token,
    responses=error_responses(401, 413, 415, 422, 503),
)
async def refresh(body: RefreshRequest, db: DbSession) -> Token:
    return service.refresh(db, body.refresh_token)


handler = Mangum(app, lifespan="off")
