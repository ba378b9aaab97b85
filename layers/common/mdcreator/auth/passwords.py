"""Password hashing with bcrypt, used directly (no passlib), on NFKC-normalised passwords."""

from __future__ import annotations

from typing import NamedTuple

import bcrypt

from ..core.config import get_settings
from .password_rules import MAX_PASSWORD_BYTES, normalize_password

# A well-formed hash nobody's password matches. Checking against it costs exactly as much as
# a real check, so an unknown email takes as long to answer as a wrong password.
_DUMMY_DIGEST = "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"


class PasswordCheck(NamedTuple):
    matches: bool
    # The stored hash should be replaced: made at a lower cost than BCRYPT_ROUNDS asks for
    # now, or of the password as typed before passwords were normalised.
    needs_rehash: bool


def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(rounds=get_settings().bcrypt_rounds)
    return bcrypt.hashpw(normalize_password(password).encode(), salt).decode()


def check_password(password: str, password_hash: str) -> PasswordCheck:
    stored = password_hash.encode()
    normalized = normalize_password(password)
    if _checkpw(normalized, stored):
        outdated = _cost(password_hash) < get_settings().bcrypt_rounds
        return PasswordCheck(matches=True, needs_rehash=outdated)
    # A hash stored before normalisation holds the password exactly as it was typed.
    if normalized != password and _checkpw(password, stored):
        fits = len(normalized.encode()) <= MAX_PASSWORD_BYTES
        return PasswordCheck(matches=True, needs_rehash=fits)
    return PasswordCheck(matches=False, needs_rehash=False)


def verify_dummy_password(password: str) -> None:
    """Spend the time of a real check (both forms included) for a user that does not exist."""
    dummy_hash = f"$2b${get_settings().bcrypt_rounds:02d}${_DUMMY_DIGEST}"
    check_password(password, dummy_hash)


def _checkpw(password: str, stored: bytes) -> bool:
    raw = password.encode()
    # bcrypt refuses more than 72 bytes (older versions silently truncated them).
    return len(raw) <= MAX_PASSWORD_BYTES and bcrypt.checkpw(raw, stored)


def _cost(password_hash: str) -> int:
    # "$2b$12$<salt+digest>": the cost is the second field.
    try:
        return int(password_hash.split("$")[2])
    except (IndexError, ValueError):
        return 0
