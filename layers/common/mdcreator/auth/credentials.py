"""Signup, the password checks of sensitive changes, password changes and account deletion.

Raises domain errors only; knows nothing of HTTP.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import TooManyAttempts
from . import events, holds, limits, sessions
from .errors import EmailAlreadyRegistered, IncorrectPassword, InvalidToken
from .events import EventKind
from .models import User
from .passwords import check_password, hash_password
from .schemas import UserCreate
from .tokens import TokenPayload
from .users import end_read, find_user_by_email


def signup(db: Session, data: UserCreate, client_ip: str) -> User:
    limits.check_signup_allowed(client_ip)
    taken = find_user_by_email(db, data.email) is not None
    end_read(db)  # Redis and bcrypt next; the INSERT opens a transaction of its own
    if taken or holds.is_held_for_another(data.email):
        raise EmailAlreadyRegistered()
    user = User(
        email=data.email,
        password_hash=hash_password(data.password),
        display_name=data.display_name or data.email.split("@", 1)[0],
    )
    db.add(user)
    try:
        db.commit()
    except IntegrityError as exc:
        # A concurrent signup won the race: the unique index on lower(email) decides.
        db.rollback()
        raise EmailAlreadyRegistered() from exc
    return user


def confirm_password(
    user: User, password: str, client_ip: str, session_id: uuid.UUID | None = None
) -> None:
    """Check the current password a session gives for a sensitive change.

    Limited like logins per client, per account by a backstop only sessions count against,
    and per session: a session that gives PASSWORD_CONFIRM_SESSION_MAX_FAILURES wrong ones is
    ended, so a stolen one can neither guess the password it needs to take the account for
    good nor use up the backstop that would block the owner's own change.
    """
    if session_id is not None and not sessions.reserve_confirmation(user.id, session_id):
        raise InvalidToken("session ended")
    try:
        attempt = limits.reserve_login(
            user.email, client_ip, proof="session", proof_id=str(session_id or "")
        )
    except TooManyAttempts:
        if session_id is not None:
            sessions.release_confirmation(user.id, session_id)
        raise
    if not check_password(password, user.password_hash).matches:
        limits.fail_login(attempt)
        if session_id is not None:
            sessions.settle_failed_confirmation(user.id, session_id)
        raise IncorrectPassword()
    limits.release_login(attempt)
    if session_id is not None:
        sessions.release_confirmation(user.id, session_id)


def set_password(
    db: Session, user: User, new_password: str, keep_session: uuid.UUID | None = None
) -> None:
    """Replace the password; every session but `keep_session` and every device token die.

    One UPDATE raises the credentials version with the hash; then one Redis script ends the
    sessions and refuses any a login is still creating with the old version. If Redis fails
    in between, the sessions stay in Redis but every request that reads the user refuses
    them (get_token_owner, refresh): the change fails closed.
    """
    version = db.scalar(
        update(User)
        .where(User.id == user.id)
        .values(
            password_hash=hash_password(new_password),
            credentials_version=User.credentials_version + 1,
        )
        .returning(User.credentials_version)
    )
    db.commit()
    db.refresh(user)
    sessions.end_all_sessions(user.id, keep=keep_session, credentials_version=version)


def change_password(
    db: Session, user: User, token: TokenPayload, current: str, new: str, client_ip: str
) -> None:
    """Set a new password; this session stays, every other one ends."""
    confirm_password(user, current, client_ip, token.sid)
    set_password(db, user, new, keep_session=token.sid)
    events.record(db, user.id, EventKind.PASSWORD_CHANGED, session_id=token.sid)


def delete_account(
    db: Session, user: User, password: str, client_ip: str, *, session_id: uuid.UUID | None = None
) -> None:
    """Soft delete: the row stays (deleted_at), every session ends, the email is free again."""
    confirm_password(user, password, client_ip, session_id)
    user.deleted_at = datetime.now(UTC)
    db.commit()
    sessions.end_all_sessions(user.id)
    events.record(db, user.id, EventKind.ACCOUNT_DELETED)
