"""GET /api/auth/me - the caller's profile."""

from mangum import Mangum

from mdcreator.deps import CurrentUser
from mdcreator.models import User
from mdcreator.schemas import UserResponse
from mdcreator.web import create_app, error_responses

app = create_app()


@app.get(
    "/api/auth/me",
    summary="Current user",
    response_model=UserResponse,
    responses=error_responses(401, 503),
)
def read_me(user: CurrentUser) -> User:
    return user


handler = Mangum(app, lifespan="off")
