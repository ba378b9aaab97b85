"""Links that replace an account's credentials: a password reset, an email change reverted.

Both end every session and clear the account's login lockouts; a reset starts a new session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.config import get_settings
from ..core.errors import DependencyUnavailable
from ..infra.db import UNAVAILABLE_ERRORS
from . import credentials, events, holds, limits, onetime, sessions, signin
from .errors import EmailAlreadyRegistered, InvalidLinkToken
from .events import EventKind
from .links import claim, redeemed
from .models import User
from .onetime import Grant, Purpose
from .passwords import hash_password
from .schemas import LoginToken


def reset_password(db: Session, token: str, new_password: str) -> LoginToken:
    """Set the password from a reset link; the mail proved the address, so it is verified.

    The link dies when the account's password or address changed since it was mailed. Every
    session and device token ends, the account's login lockouts clear, a new session starts.
    """
    with redeemed(Purpose.RESET_PASSWORD, token) as grant:
        # The row stays locked through set_password's commit: a concurrent password change
        # waits, then raises the credentials version after this one.
        user = claim(db, grant, email_verified=True)
        credentials.set_password(db, user, new_password)
    limits.clear_login_lockouts(user.email)
    events.record(db, user.id, EventKind.PASSWORD_RESET)
    return signin.start_session(db, user)


@dataclass(frozen=True)
class Reverted:
    user: User
    reset_token: str


def _reset_grant(user: User) -> str:
    grant = Grant(
        Purpose.RESET_PASSWORD, user.id, user.email, credentials_version=user.credentials_version
    )
    return onetime.issue(grant, get_settings().password_reset_ttl_s)


def revert_email_change(db: Session, token: str) -> Reverted:
    """The old address takes the account back: the revert link of a change notice.

    Whoever changed the address knew the password and may hold sessions, so in one UPDATE
    the old address returns (verified: this link reached it), the credentials version rises
    (pending change links and every session die) and the password becomes one nobody knows;
    the answer carries a reset token to choose a new one. Refused, and the link kept, when
    another live account owns the old address by now.
    """
    grant = onetime.redeem(Purpose.REVERT_EMAIL, token)
    try:
        user = db.scalar(
            update(User)
            .where(User.id == grant.user_id, User.deleted_at.is_(None))
            .values(
                email=grant.email,
                email_verified=True,
                credentials_version=User.credentials_version + 1,
                password_hash=hash_password(secrets.token_urlsafe(32)),
            )
            .returning(User)
        )
    except IntegrityError as exc:
        db.rollback()
        onetime.give_back(token, grant)
        raise EmailAlreadyRegistered() from exc
    except (*UNAVAILABLE_ERRORS, DependencyUnavailable):
        onetime.give_back(token, grant)
        raise
    if user is None:
        db.rollback()
        raise InvalidLinkToken()
    db.commit()
    # Postgres refuses every session already (credentials version); this ends them in Redis.
    sessions.end_all_sessions(user.id, credentials_version=user.credentials_version)
    limits.clear_login_lockouts(user.email)
    holds.release_address(grant.email)
    events.record(
        db, user.id, EventKind.EMAIL_CHANGE_REVERTED, restored=grant.email,
        replaced=grant.new_email or "",
    )  # fmt: skip
    return Reverted(user, _reset_grant(user))
