"""POST /api/auth/email/revert - the link in an email-change notice takes the account back."""

from mangum import Mangum

from mdcreator.auth import reset
from mdcreator.auth.schemas import LinkTokenBody, UserResponse
from mdcreator.auth.security_schemas import EmailRevertAnswer
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("email_change_revert")


@app.post(
    "/api/auth/email/revert",
    summary="Undo an email change from the old address",
    operation_id="revertEmailChange",
    tags=["account"],
    response_model=EmailRevertAnswer,
    responses=error_responses(400, 409, 413, 415, 422, 503),
)
async def revert_email_change(body: LinkTokenBody, db: DbSession) -> EmailRevertAnswer:
    reverted = reset.revert_email_change(db, body.token)
    return EmailRevertAnswer(
        message="The address is back and every session is signed out; choose a new password",
        reset_token=reverted.reset_token,
        user=UserResponse.model_validate(reverted.user),
    )


handler = Mangum(app, lifespan="off")
