"""POST /api/auth/password/forgot - mail a reset link, when an account owns the address."""

from fastapi import status
from mangum import Mangum

from mdcreator.auth import recovery
from mdcreator.auth.schemas import PasswordForgot
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp, DbSession
from mdcreator.http.errors import error_responses
from mdcreator.http.schemas import Message
from mdcreator.infra import mail

app = create_app("password_forgot")
mail.get_backend()  # refuse to start without a mail relay where one is required


@app.post(
    "/api/auth/password/forgot",
    operation_id="forgotPassword",
    tags=["mail-links"],
    summary="Ask for a password reset link",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Message,
    responses=error_responses(413, 415, 422, 429, 503),
)
async def forgot_password(body: PasswordForgot, db: DbSession, client_ip: ClientIp) -> Message:
    recovery.request_password_reset(db, body.email, client_ip)
    return Message(message="If the address has an account, a reset link is on its way")


handler = Mangum(app, lifespan="off")
