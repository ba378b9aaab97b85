"""POST /api/auth/email/confirm - the link from the new address moves the account to it."""

from mangum import Mangum

from mdcreator.auth import links
from mdcreator.auth.models import User
from mdcreator.auth.schemas import LinkTokenBody, UserResponse
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("email_change_confirm")


@app.post(
    "/api/auth/email/confirm",
    operation_id="confirmEmailChange",
    tags=["mail-links"],
    summary="Confirm an email change",
    response_model=UserResponse,
    responses=error_responses(400, 409, 413, 415, 422, 503),
)
async def confirm_email_change(body: LinkTokenBody, db: DbSession) -> User:
    return links.confirm_email_change(db, body.token)


handler = Mangum(app, lifespan="off")
