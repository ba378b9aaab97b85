"""Helpers of the HTTP stories (tests/integration, through the emulator or --base-url)."""

from __future__ import annotations

from tests.support.accounts import PASSWORD

__all__ = ["PASSWORD", "SPA_ORIGIN", "bearer", "slow_hash"]

# The SPA's development origin, one of the default CORS_ORIGINS.
SPA_ORIGIN = "http://localhost:5173"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def slow_hash(database_url: str, email: str, password: str = PASSWORD, rounds: int = 12) -> None:
    """Give the account a hash of cost `rounds`: each check then takes ~0.3 s, as in production.

    The emulated API hashes at cost 4 (fast tests); races around the password check need a
    check slow enough to interleave with.
    """
    import bcrypt
    from sqlalchemy import create_engine, update

    from mdcreator.auth.models import User

    digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(User).where(User.email == email).values(password_hash=digest))
    finally:
        engine.dispose()
