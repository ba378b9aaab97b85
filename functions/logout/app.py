"""POST /api/auth/logout - revoke the presented access token and its session."""

from mangum import Mangum

from mdcreator import service
from mdcreator.deps import AccessToken
from mdcreator.schemas import Message
from mdcreator.web import create_app, error_responses

app = create_app(tokens="verify")


@app.post(
    "/api/auth/logout",
    summary="Log out",
    response_model=Message,
    responses=error_responses(401, 503),
)
async def logout(token: AccessToken) -> Message:
    service.logout(token)
    return Message(message="Logged out successfully")


handler = Mangum(app, lifespan="off")
