"""POST /api/auth/password/reset - a reset link's token sets a new password and logs in."""

from mangum import Mangum

from mdcreator import recovery
from mdcreator.deps import DbSession
from mdcreator.schemas import LoginToken, PasswordReset
from mdcreator.web import create_app, error_responses

app = create_app(tokens="sign")


@app.post(
    "/api/auth/password/reset",
    summary="Reset the password with a mailed link",
    response_model=LoginToken,
    responses=error_responses(400, 413, 415, 422, 503),
)
async def reset_password(body: PasswordReset, db: DbSession) -> LoginToken:
    return recovery.reset_password(db, body.token, body.new_password)


handler = Mangum(app, lifespan="off")
