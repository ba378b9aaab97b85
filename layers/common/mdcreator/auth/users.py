"""The account row: found by email, read for a token, activity and profile changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..core.config import get_settings
from .errors import InvalidToken
from .models import User
from .schemas import UserUpdate

if TYPE_CHECKING:  # tokens loads jwt and cryptography, which the mailed links need not
    from .tokens import VerifiedToken


def find_user_by_email(db: Session, email: str) -> User | None:
    """The live account with this email; deleted ones no longer own their address."""
    query = select(User).where(func.lower(User.email) == email.lower(), User.deleted_at.is_(None))
    return db.scalar(query)


def end_read(db: Session) -> None:
    """End the read's transaction before slow work (bcrypt, Redis, mail); a later write opens
    its own. Under RDS Proxy a connection inside a transaction stays pinned to this client.
    The loaded objects stay usable (the sessions are made with expire_on_commit=False)."""
    db.commit()


def get_token_owner(db: Session, token: VerifiedToken) -> User:
    user = db.get(User, token.sub)
    if user is None or user.deleted_at is not None:
        raise InvalidToken("account gone")
    # Redis refuses such sessions already; this holds even when the password change could
    # commit but not reach Redis.
    if token.credentials_version < user.credentials_version:
        raise InvalidToken("session older than the account's credentials")
    return user


def touch_last_seen(db: Session, user: User, *, force: bool = False) -> None:
    """Record activity, at most once per last_seen_interval_s unless forced (login)."""
    now = datetime.now(UTC)
    interval = timedelta(seconds=get_settings().last_seen_interval_s)
    if not force and now - user.last_seen_at < interval:
        return
    # Activity is not a profile change: keep updated_at as it is.
    db.execute(
        update(User).where(User.id == user.id).values(last_seen_at=now, updated_at=User.updated_at)
    )
    db.commit()
    user.last_seen_at = now


def update_profile(db: Session, user: User, changes: UserUpdate) -> User:
    for name, value in changes.model_dump(exclude_unset=True).items():
        setattr(user, name, value)
    db.commit()  # updated_at follows through the column's onupdate
    return user
