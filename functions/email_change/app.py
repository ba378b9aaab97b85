"""POST /api/auth/email - ask to change the address: a link to the new one, a notice to the old."""

from fastapi import status
from mangum import Mangum

from mdcreator.auth import email_change, keys
from mdcreator.auth.deps import AccessToken, CurrentUser
from mdcreator.auth.schemas import EmailChange
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp, DbSession
from mdcreator.http.errors import error_responses
from mdcreator.http.schemas import Message
from mdcreator.infra import mail

app = create_app("email_change", keys.verifies_tokens)
mail.get_backend()  # refuse to start without a mail relay where one is required


@app.post(
    "/api/auth/email",
    operation_id="requestEmailChange",
    tags=["mail-links"],
    summary="Change the email address (confirmed by mail)",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Message,
    responses=error_responses(400, 401, 413, 415, 422, 429, 503),
)
async def request_email_change(
    body: EmailChange, user: CurrentUser, token: AccessToken, db: DbSession, client_ip: ClientIp
) -> Message:
    email_change.request_email_change(
        db, user, body.new_email, body.password, client_ip, session_id=token.sid
    )
    return Message(message="A confirmation link is on its way to the new address")


handler = Mangum(app, lifespan="off")
