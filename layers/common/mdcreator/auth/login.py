"""Login: email and password (and maybe a device token) for a new session.

No Postgres transaction stays open across bcrypt and the Redis calls: the account is read,
the read ends, and only a rehash, the session's last_seen or an event opens one of its own.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..core import metrics
from ..core.errors import TooManyAttempts
from . import devices, events, limits, sessions
from .errors import InvalidCredentials
from .events import EventKind
from .models import User
from .passwords import check_password, hash_password, verify_dummy_password
from .schemas import LoginToken, UserLogin
from .signin import start_session
from .users import end_read, find_user_by_email


def log_in(db: Session, credentials: UserLogin, client_ip: str) -> LoginToken:
    try:
        user = _check_credentials(db, credentials, client_ip)
    except (InvalidCredentials, TooManyAttempts) as exc:
        metrics.count("Lockout" if isinstance(exc, TooManyAttempts) else "LoginFailed")
        _record_refused_login(db, credentials.email, exc)
        raise
    known_device = credentials.device_token is not None and sessions.is_device_trusted(
        user.id, credentials.device_token
    )
    token = start_session(db, user)
    devices.after_login(db, user, devices.session_of(token.access_token), known_device=known_device)
    metrics.count("LoginSucceeded")
    return token


def _check_credentials(db: Session, credentials: UserLogin, client_ip: str) -> User:
    """The account whose password this is; every limit checked and reserved before bcrypt."""
    user = find_user_by_email(db, credentials.email)
    end_read(db)  # no transaction waits on Redis and bcrypt
    device = credentials.device_token if user is not None else None
    trusted = (
        device is not None and user is not None and sessions.reserve_device_check(user.id, device)
    )
    try:
        attempt = limits.reserve_login(
            credentials.email,
            client_ip,
            proof="device" if trusted else "none",
            proof_id=sessions.device_digest(device) if trusted and device else "",
        )
    except TooManyAttempts:
        if trusted and user is not None and device is not None:
            sessions.release_device_check(user.id, device)  # no password was checked
        raise
    if user is None:
        verify_dummy_password(credentials.password)
        limits.fail_login(attempt)
        raise InvalidCredentials()
    check = check_password(credentials.password, user.password_hash)
    if not check.matches:
        limits.fail_login(attempt)  # a device token's reservation stays one of its failures
        raise InvalidCredentials()
    limits.release_login(attempt)
    if trusted and device is not None:
        sessions.release_device_check(user.id, device)
    if check.needs_rehash:
        _store_password_hash(db, user, hash_password(credentials.password))
    return user


def _store_password_hash(db: Session, user: User, password_hash: str) -> None:
    # The same password at today's cost or in its normalised form: no credentials change.
    db.execute(
        update(User)
        .where(User.id == user.id)
        .values(password_hash=password_hash, updated_at=User.updated_at)
    )
    db.commit()
    user.password_hash = password_hash


def _record_refused_login(db: Session, email: str, refusal: Exception) -> None:
    # Unknown addresses have no history to write to. The lookup runs for both; a known
    # account's extra insert says nothing signup's 409 does not say already.
    user = find_user_by_email(db, email)
    if user is None:
        end_read(db)
        return
    locked = isinstance(refusal, TooManyAttempts)
    events.record(db, user.id, EventKind.LOGIN_LOCKED if locked else EventKind.LOGIN_FAILED)
