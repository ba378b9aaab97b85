"""The access token of a request: verified against Redis (no database), revoked at logout.

Functions that need only the token (logout, logout-all) import this and no database code.
Dependencies are `async def` on purpose, see infra.db.get_db.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..core import logs
from . import sessions
from .errors import InvalidToken
from .tokens import TokenPayload, VerifiedToken, decode_access_token

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/auth/login")


def verify_access_token(token: str) -> VerifiedToken:
    payload = decode_access_token(token)
    version = sessions.session_credentials(payload.sub, payload.sid, payload.jti)
    if version is None:
        raise InvalidToken("token revoked")
    return VerifiedToken(**payload.model_dump(), credentials_version=version)


async def get_access_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> VerifiedToken:
    """The verified, unrevoked access token; its user and session go on every later log line."""
    if credentials is None or not credentials.credentials:
        raise InvalidToken("missing bearer token")
    token = verify_access_token(credentials.credentials)
    # Only now: the claims of a token that failed verification are whatever its sender wrote.
    logs.bind(user_id=str(token.sub), session_id=str(token.sid))
    return token


AccessToken = Annotated[VerifiedToken, Depends(get_access_token)]


def logout(token: TokenPayload) -> None:
    sessions.revoke_token(token.sub, token.jti, token.exp)
    sessions.end_session(token.sub, token.sid)


def logout_everywhere(token: TokenPayload) -> int:
    sessions.revoke_token(token.sub, token.jti, token.exp)
    return sessions.end_all_sessions(token.sub)
