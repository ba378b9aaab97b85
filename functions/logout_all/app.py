"""POST /api/auth/logout-all - end every session of the caller, on every device."""

from mangum import Mangum

from mdcreator import service
from mdcreator.deps import AccessToken
from mdcreator.schemas import Message
from mdcreator.web import create_app, error_responses

app = create_app(tokens="verify")


@app.post(
    "/api/auth/logout-all",
    summary="Log out everywhere",
    response_model=Message,
    responses=error_responses(401, 503),
)
async def logout_all(token: AccessToken) -> Message:
    service.logout_everywhere(token)
    return Message(message="Logged out of all sessions")


handler = Mangum(app, lifespan="off")
