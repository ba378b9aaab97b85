"""POST /api/auth/signup - create an account; a mail asks to verify its address."""

from fastapi import status
from mangum import Mangum

from mdcreator.auth import credentials, recovery
from mdcreator.auth.models import User
from mdcreator.auth.schemas import UserCreate, UserResponse
from mdcreator.http.app import create_app
from mdcreator.http.deps import ClientIp, DbSession
from mdcreator.http.errors import error_responses
from mdcreator.infra import mail

app = create_app("signup")
mail.get_backend()  # refuse to start without a mail relay where one is required


@app.post(
    "/api/auth/signup",
    operation_id="signup",
    tags=["auth"],
    summary="Create an account",
    status_code=status.HTTP_201_CREATED,
    response_model=UserResponse,
    responses=error_responses(409, 413, 415, 422, 429, 503),
)
async def signup(payload: UserCreate, db: DbSession, client_ip: ClientIp) -> User:
    user = credentials.signup(db, payload, client_ip)
    recovery.send_signup_verification(user)
    return user


handler = Mangum(app, lifespan="off")
