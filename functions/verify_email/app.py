"""POST /api/auth/verify-email - the link from a verification mail marks the address verified."""

from mangum import Mangum

from mdcreator.auth import links
from mdcreator.auth.models import User
from mdcreator.auth.schemas import LinkTokenBody, UserResponse
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("verify_email")


@app.post(
    "/api/auth/verify-email",
    operation_id="verifyEmail",
    tags=["mail-links"],
    summary="Verify the email address",
    response_model=UserResponse,
    responses=error_responses(400, 413, 415, 422, 503),
)
async def verify_email(body: LinkTokenBody, db: DbSession) -> User:
    return links.verify_email(db, body.token)


handler = Mangum(app, lifespan="off")
