"""GET and PATCH /api/auth/me - the caller's own profile."""

from mangum import Mangum

from mdcreator.auth import keys, users
from mdcreator.auth.deps import CurrentUser
from mdcreator.auth.models import User
from mdcreator.auth.schemas import ProfileResponse, UserUpdate
from mdcreator.http.app import create_app
from mdcreator.http.deps import DbSession
from mdcreator.http.errors import error_responses

app = create_app("me", keys.verifies_tokens)


@app.get(
    "/api/auth/me",
    operation_id="getMe",
    tags=["account"],
    summary="Current user",
    response_model=ProfileResponse,
    responses=error_responses(401, 503),
)
async def read_me(user: CurrentUser, db: DbSession) -> User:
    users.touch_last_seen(db, user)
    return user


@app.patch(
    "/api/auth/me",
    operation_id="updateMe",
    tags=["account"],
    summary="Update the current user's profile",
    response_model=ProfileResponse,
    responses=error_responses(401, 413, 415, 422, 503),
)
async def update_me(changes: UserUpdate, user: CurrentUser, db: DbSession) -> User:
    return users.update_profile(db, user, changes)


handler = Mangum(app, lifespan="off")
