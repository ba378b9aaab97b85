"""Password hashing with bcrypt, used directly (no passlib)."""

from __future__ import annotations

import bcrypt

from .config import get_settings

# bcrypt reads at most 72 bytes; longer passwords are rejected by the schemas, never truncated.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_BYTES = 8

# A well-formed hash nobody's password matches. Checking against it costs exactly as much as
# a real check, so an unknown email takes as long to answer as a wrong password.
_DUMMY_DIGEST = "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"


def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(rounds=get_settings().bcrypt_rounds)
    return bcrypt.hashpw(password.encode(), salt).decode()


def verify_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode(), password_hash.encode())


def verify_dummy_password(password: str) -> None:
    """Spend the time of a real check for a user that does not exist."""
    dummy_hash = f"$2b${get_settings().bcrypt_rounds:02d}${_DUMMY_DIGEST}"
    bcrypt.checkpw(password.encode(), dummy_hash.encode())
