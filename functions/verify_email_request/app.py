"""POST /api/auth/verify-email/request - mail a new link that verifies the caller's address."""

from fastapi import status
from mangum import Mangum

from mdcreator.auth import keys, recovery
from mdcreator.auth.deps import CurrentUser
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp
from mdcreator.http.errors import error_responses
from mdcreator.http.schemas import Message
from mdcreator.infra import mail

app = create_app("verify_email_request", keys.verifies_tokens)
mail.get_backend()  # refuse to start without a mail relay where one is required


@app.post(
    "/api/auth/verify-email/request",
    operation_id="requestVerificationEmail",
    tags=["mail-links"],
    summary="Send a new verification mail",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Message,
    responses=error_responses(401, 429, 503),
)
async def request_verification(user: CurrentUser, client_ip: ClientIp) -> Message:
    if not recovery.request_verification(user, client_ip):
        return Message(message="The address is verified already")
    return Message(message="A verification link is on its way")


handler = Mangum(app, lifespan="off")
