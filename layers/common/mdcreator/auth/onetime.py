"""One-time tokens for links in mails: random, stored only as a hash, spent on first use.

Key (under settings.redis_key_prefix): link-token:<purpose>:<sha256(token)>, a JSON Grant,
TTL = the link's lifetime. Redeeming takes and deletes it in one script, so of two concurrent
uses exactly one gets the grant. A grant says what the mail proved; recovery.py checks it
against the account, and gives the token back when the database could not be asked.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import asdict, dataclass
from enum import StrEnum

from ..infra.redis import Script, fail_closed, get_redis, key
from .errors import InvalidLinkToken

TOKEN_BYTES = 32

# The grant and its remaining life in ms, deleted in the same step.
_TAKE = Script("""
local grant = redis.call('GET', KEYS[1])
if not grant then return false end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
return {grant, ttl}
""")


class Purpose(StrEnum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"
    CHANGE_EMAIL = "change-email"
    REVERT_EMAIL = "revert-email"
    DENY_SESSION = "deny-session"


@dataclass(frozen=True)
class Grant:
    """What a link proves: that whoever holds it reads `email` (and, to change, `new_email`;
    to revert a change, `new_email` is the address the change was to)."""

    purpose: Purpose
    user_id: uuid.UUID
    email: str
    new_email: str | None = None
    credentials_version: int | None = None
    session_id: str | None = None  # deny-session: the session a new-device mail is about
    expires_in_ms: int = 0  # when redeemed: what was left of the token's life

    def to_json(self) -> str:
        data = {**asdict(self), "user_id": str(self.user_id)}
        del data["expires_in_ms"]
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str, expires_in_ms: int) -> Grant:
        data = json.loads(raw)
        data.update(purpose=Purpose(data["purpose"]), user_id=uuid.UUID(data["user_id"]))
        return cls(**data, expires_in_ms=expires_in_ms)


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
    taken = _TAKE([_key(purpose, token)])
    if not taken:
        raise InvalidLinkToken()
    raw, expires_in_ms = taken
    grant = Grant.from_json(str(raw), int(expires_in_ms))
    if grant.purpose is not purpose:
        raise InvalidLinkToken()
    return grant


@fail_closed
def give_back(token: str, grant: Grant) -> None:
    """Make a redeemed token usable again for the rest of its life (nothing happened)."""
    if grant.expires_in_ms > 0:
        get_redis().set(
            _key(grant.purpose, token), grant.to_json(), px=grant.expires_in_ms, nx=True
        )
