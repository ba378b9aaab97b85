"""FastAPI dependencies as Annotated aliases: route signatures read plainly.

Dependencies and routes are `async def` on purpose, see db.get_db.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from . import service
from .db import get_db
from .errors import InvalidToken
from .models import User
from .tokens import VerifiedToken

DbSession = Annotated[Session, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/auth/login")


async def get_access_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> VerifiedToken:
    """The verified, unrevoked access token (Redis only, no database)."""
    if credentials is None or not credentials.credentials:
        raise InvalidToken("missing bearer token")
    return service.verify_access_token(credentials.credentials)


AccessToken = Annotated[VerifiedToken, Depends(get_access_token)]


async def get_current_user(db: DbSession, token: AccessToken) -> User:
    return service.get_token_owner(db, token)


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_client_ip(request: Request) -> str:
    # Mangum takes the client from API Gateway's requestContext.http.sourceIp, which the
    # caller cannot forge (unlike X-Forwarded-For).
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(get_client_ip)]
