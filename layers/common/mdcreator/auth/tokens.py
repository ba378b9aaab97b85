"""Access tokens (JWT, ES256 pinned, `kid` selects among our keys only) and opaque refresh
tokens.

An access token's JOSE header says `typ: at+jwt` (RFC 9068) and ours requires it: no other
JWT we ever signed passes for one, here or at a verifier that follows
docs/verifying-tokens.md.

A refresh token is no JWT: `rt1.<user id>.<session id>.<secret>`, the secret 256 bits that
only its holder has (the session keeps its SHA-256). The ids are no secret (every access
token names them); they only say where the session is, so refreshing needs no signature
check, and knowing them without the secret opens nothing. A child secret is HMAC-SHA256
keyed with its parent under a fresh random nonce the session keeps: the one client that
holds the parent can be given the same child again within the grace period, and neither
the session (hashes and a nonce) nor an old token alone yields the current secret.

Refresh JWTs of the previous release (JOSE typ JWT, claim typ refresh) are still read by
decode_legacy_refresh_token until they expire: each rotates once into an opaque token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from ..core.config import get_settings
from .errors import InvalidToken
from .keys import ALGORITHM, find_key, get_signing_key

REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "iss", "aud", "typ", "sid"]
ACCESS_TOKEN_TYPE = "at+jwt"  # the JOSE header's typ (RFC 9068 section 2.1)
TokenType = Literal["access", "refresh"]

REFRESH_PREFIX = "rt1"
SECRET_BYTES = 32
_REFRESH_FORMAT = re.compile(r"rt1\.([0-9a-f]{32})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})")


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


def create_access_token(
    user_id: uuid.UUID, session_id: uuid.UUID, not_after: datetime | None = None
) -> str:
    """A signed access token; `not_after` caps its expiry (the end of its session)."""
    settings = get_settings()
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=settings.access_token_expire_minutes)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": str(uuid.uuid4()),
        "typ": "access",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": expires if not_after is None else min(expires, not_after),
    }
    signing = get_signing_key()
    headers = {"kid": signing.kid, "typ": ACCESS_TOKEN_TYPE}
    return jwt.encode(claims, signing.key, algorithm=ALGORITHM, headers=headers)


def _decode(token: str, expected_type: TokenType) -> TokenPayload:
    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
        is_access_header = header.get("typ") == ACCESS_TOKEN_TYPE
        if is_access_header != (expected_type == "access"):
            raise InvalidToken(f"JOSE typ {header.get('typ')!r} is no {expected_type} token's")
        # Only our own public keys: a header's jku/x5u/jwk never names where a key comes from.
        key = find_key(header.get("kid"))
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


def decode_access_token(token: str) -> TokenPayload:
    return _decode(token, "access")


def decode_legacy_refresh_token(token: str) -> TokenPayload:
    """A refresh JWT of the previous release; no longer issued (see the module's docstring)."""
    return _decode(token, "refresh")


@dataclass(frozen=True)
class RefreshToken:
    user_id: uuid.UUID
    session_id: uuid.UUID
    secret: str

    def __str__(self) -> str:
        return f"{REFRESH_PREFIX}.{self.user_id.hex}.{self.session_id.hex}.{self.secret}"

    @classmethod
    def parse(cls, text: str) -> RefreshToken | None:
        """The token in this text, or None when it is not in the opaque format at all."""
        match = _REFRESH_FORMAT.fullmatch(text)
        if match is None:
            return None
        return cls(uuid.UUID(match[1]), uuid.UUID(match[2]), match[3])

    @classmethod
    def new(cls, user_id: uuid.UUID, session_id: uuid.UUID) -> RefreshToken:
        return cls(user_id, session_id, _encode(secrets.token_bytes(SECRET_BYTES)))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def refresh_digest(material: str) -> str:
    """What a session keeps of a refresh secret (or of a whole legacy refresh JWT)."""
    return hashlib.sha256(material.encode()).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(SECRET_BYTES)


def child_secret(material: str, nonce: str) -> str:
    """The secret that rotation with `nonce` makes of a parent secret (or legacy JWT)."""
    return _encode(hmac.new(material.encode(), bytes.fromhex(nonce), hashlib.sha256).digest())
