"""POST /api/auth/signup - create an account."""

from fastapi import status
from mangum import Mangum

from mdcreator import service
from mdcreator.deps import ClientIp, DbSession
from mdcreator.models import User
from mdcreator.schemas import UserCreate, UserResponse
from mdcreator.web import create_app, error_responses

app = create_app()


@app.post(
    "/api/auth/signup",
    summary="Create an account",
    status_code=status.HTTP_201_CREATED,
    response_model=UserResponse,
    responses=error_responses(409, 413, 415, 422, 429, 503),
)
async def signup(payload: UserCreate, db: DbSession, client_ip: ClientIp) -> User:
    return service.signup(db, payload, client_ip)


handler = Mangum(app, lifespan="off")
