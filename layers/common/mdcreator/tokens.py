"""JWT access and refresh tokens (pyjwt, HS256 pinned)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from .config import get_settings
from .errors import InvalidToken

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "iss", "aud", "typ", "sid"]
TokenType = Literal["access", "refresh"]


class TokenPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: uuid.UUID
    sid: uuid.UUID
    jti: uuid.UUID
    typ: TokenType
    iat: datetime
    exp: datetime


def create_token(
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    token_type: TokenType,
    jti: uuid.UUID | None = None,
) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    lifetime = (
        timedelta(minutes=settings.access_token_expire_minutes)
        if token_type == "access"
        else timedelta(days=settings.refresh_token_expire_days)
    )
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": str(jti or uuid.uuid4()),
        "typ": token_type,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, settings.jwt_secret_key.get_secret_value(), algorithm=ALGORITHM)


def decode_token(token: str, expected_type: TokenType) -> TokenPayload:
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": REQUIRED_CLAIMS},
        )
        payload = TokenPayload.model_validate(claims)
    except (jwt.InvalidTokenError, ValidationError) as exc:
        raise InvalidToken(str(exc)) from exc
    if payload.typ != expected_type:
        raise InvalidToken(f"expected a {expected_type} token")
    return payload
