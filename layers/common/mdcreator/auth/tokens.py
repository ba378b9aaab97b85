"""JWT access and refresh tokens (pyjwt, ES256 pinned, `kid` selects among our keys only)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from ..core.config import get_settings
from .errors import InvalidToken
from .keys import ALGORITHM, find_key, get_signing_key

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


class VerifiedToken(TokenPayload):
    """An access token whose session is alive, with the credentials version it was born with."""

    credentials_version: int


def create_token(
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    token_type: TokenType,
    jti: uuid.UUID | None = None,
    not_after: datetime | None = None,
) -> str:
    """A signed token; `not_after` caps its expiry (the end of its session)."""
    settings = get_settings()
    now = datetime.now(UTC)
    lifetime = (
        timedelta(minutes=settings.access_token_expire_minutes)
        if token_type == "access"
        else timedelta(days=settings.refresh_token_expire_days)
    )
    expires = now + lifetime if not_after is None else min(now + lifetime, not_after)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": str(jti or uuid.uuid4()),
        "typ": token_type,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": expires,
    }
    signing = get_signing_key()
    return jwt.encode(claims, signing.key, algorithm=ALGORITHM, headers={"kid": signing.kid})


def decode_token(token: str, expected_type: TokenType) -> TokenPayload:
    settings = get_settings()
    try:
        # Only our own public keys: a header's jku/x5u/jwk never names where a key comes from.
        key = find_key(jwt.get_unverified_header(token).get("kid"))
        if key is None:
            raise InvalidToken("unknown signing key")
        claims = jwt.decode(
            token,
            key,
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
