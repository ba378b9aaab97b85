"""One-time tokens for links in mails: random, stored only as a hash, spent on first use.

Key (under settings.redis_key_prefix): link-token:<purpose>:<sha256(token)>, a JSON Grant,
TTL = the link's lifetime. Redeeming is GETDEL, so of two concurrent uses exactly one gets
the grant. A grant says what the mail proved; recovery.py checks it against the account.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import asdict, dataclass
from enum import StrEnum

from .errors import InvalidLinkToken
from .store import fail_closed, get_redis, key

TOKEN_BYTES = 32


class Purpose(StrEnum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"
    CHANGE_EMAIL = "change-email"


@dataclass(frozen=True)
class Grant:
    """What a link proves: that whoever holds it reads `email` (and, to change, `new_email`)."""

    purpose: Purpose
    user_id: uuid.UUID
    email: str
    new_email: str | None = None
    credentials_version: int | None = None

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "user_id": str(self.user_id)})

    @classmethod
    def from_json(cls, raw: str) -> Grant:
        data = json.loads(raw)
        return cls(
            **{**data, "purpose": Purpose(data["purpose"]), "user_id": uuid.UUID(data["user_id"])}
        )


def _key(purpose: Purpose, token: str) -> str:
    # A token carries 256 random bits: a plain digest cannot be reversed or guessed.
    return key("link-token", purpose.value, hashlib.sha256(token.encode()).hexdigest())


@fail_closed
def issue(grant: Grant, lifetime_s: int) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    get_redis().set(_key(grant.purpose, token), grant.to_json(), ex=lifetime_s, nx=True)
    return token


@fail_closed
def redeem(purpose: Purpose, token: str) -> Grant:
    """The token's grant, spent now; used, expired, unknown or another purpose's: refused."""
    raw = get_redis().getdel(_key(purpose, token))
    if raw is None:
        raise InvalidLinkToken()
    grant = Grant.from_json(str(raw))
    if grant.purpose is not purpose:
        raise InvalidLinkToken()
    return grant
