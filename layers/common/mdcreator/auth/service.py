"""Account use cases. Raises domain errors only; knows nothing of HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import logs, metrics
from ..core.config import get_settings
from ..core.errors import NotFound, TooManyAttempts
from . import devices, events, holds, limits, sessions
from .errors import (
    EmailAlreadyRegistered,
    IncorrectPassword,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
)
from .events import EventKind
from .models import User
from .passwords import check_password, hash_password, verify_dummy_password
from .schemas import LoginToken, Token, UserCreate, UserLogin, UserResponse, UserUpdate
from .sessions import Rotation
from .tokens import (
    RefreshToken,
    TokenPayload,
    VerifiedToken,
    create_access_token,
    decode_access_token,
    decode_legacy_refresh_token,
    refresh_digest,
)


def find_user_by_email(db: Session, email: str) -> User | None:
    """The live account with this email; deleted ones no longer own their address."""
    query = select(User).where(func.lower(User.email) == email.lower(), User.deleted_at.is_(None))
    return db.scalar(query)


def end_read(db: Session) -> None:
    """End the read's transaction before slow work (bcrypt, Redis, mail); a later write opens
    its own. Under RDS Proxy a connection inside a transaction stays pinned to this client.
    The loaded objects stay usable (the sessions are made with expire_on_commit=False)."""
    db.commit()


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


def login(db: Session, credentials: UserLogin, client_ip: str) -> LoginToken:
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


def _record_refused_login(db: Session, email: str, refusal: Exception) -> None:
    # Unknown addresses have no history to write to. The lookup runs for both; a known
    # account's extra insert says nothing signup's 409 does not say already.
    user = find_user_by_email(db, email)
    if user is None:
        end_read(db)
        return
    locked = isinstance(refusal, TooManyAttempts)
    events.record(db, user.id, EventKind.LOGIN_LOCKED if locked else EventKind.LOGIN_FAILED)


def start_session(db: Session, user: User) -> LoginToken:
    """A new session for a user who just proved who they are (login, password reset)."""
    refresh_token = RefreshToken.new(user.id, uuid.uuid4())
    # The session exists before any token does: no token we could not revoke. It records the
    # credentials version read with the hash; if the password changed since, it is refused.
    ends_at = sessions.create_session(
        user.id,
        refresh_token.session_id,
        refresh_digest(refresh_token.secret),
        user.credentials_version,
    )
    if ends_at is None:
        raise InvalidCredentials()
    logs.bind(user_id=str(user.id), session_id=str(refresh_token.session_id))
    touch_last_seen(db, user, force=True)
    token = _issue_tokens(user, refresh_token, ends_at)
    # Refused when a logout-all or password change ended the session meanwhile.
    device_token = sessions.issue_device_token(user.id, refresh_token.session_id)
    if device_token is None:
        raise InvalidCredentials()
    return token.with_device_token(device_token)


def _presented_refresh(token: str) -> tuple[uuid.UUID, uuid.UUID, str, uuid.UUID | None]:
    """(user, session, what was presented, legacy jti) of an opaque token or a legacy JWT."""
    opaque = RefreshToken.parse(token)
    if opaque is not None:
        return opaque.user_id, opaque.session_id, opaque.secret, None
    legacy = decode_legacy_refresh_token(token)
    return legacy.sub, legacy.sid, token, legacy.jti


def refresh(db: Session, refresh_token: str) -> Token:
    user_id, session_id, presented, legacy_jti = _presented_refresh(refresh_token)
    # The user first: a database outage answers 503 before the token is spent.
    user = db.get(User, user_id)
    end_read(db)  # no transaction waits on the Redis rotation
    if user is None or user.deleted_at is not None:
        sessions.end_session(user_id, session_id)
        raise InvalidToken("account gone")
    result = sessions.rotate_refresh_token(
        user.id, session_id, presented, user.credentials_version, legacy_jti=legacy_jti
    )
    if result.outcome is Rotation.REUSED:
        metrics.count("RefreshReuseDetected")
        # The owner's history says a replayed token was refused, and from where.
        events.record(db, user.id, EventKind.REFRESH_REUSE_DETECTED, session_id=session_id)
        raise RefreshTokenReused("rotated refresh token presented again; session revoked")
    if result.secret is None or result.ends_at is None:
        raise InvalidToken(f"refresh refused: {result.outcome}")
    # Only now: before the rotation the ids are whatever the token's sender wrote.
    logs.bind(user_id=str(user.id), session_id=str(session_id))
    # Rotated, or the same rotation presented again within the grace period (a retry, a
    # second tab): either way the session's current refresh token and a new access token.
    current = RefreshToken(user.id, session_id, result.secret)
    return _issue_tokens(user, current, result.ends_at)


def _issue_tokens(user: User, refresh_token: RefreshToken, ends_at: datetime) -> Token:
    now = datetime.now(UTC)
    access_ends = min(now + timedelta(minutes=get_settings().access_token_expire_minutes), ends_at)
    token = Token(
        access_token=create_access_token(user.id, refresh_token.session_id, access_ends),
        refresh_token=str(refresh_token),
        expires_in=max(0, int((access_ends - now).total_seconds())),
        user=UserResponse.model_validate(user),
    )
    return token.with_refresh_expiry(sessions.refresh_expiry(ends_at))


def verify_access_token(token: str) -> VerifiedToken:
    payload = decode_access_token(token)
    version = sessions.session_credentials(payload.sub, payload.sid, payload.jti)
    if version is None:
        raise InvalidToken("token revoked")
    return VerifiedToken(**payload.model_dump(), credentials_version=version)


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


def logout(token: TokenPayload) -> None:
    sessions.revoke_token(token.sub, token.jti, token.exp)
    sessions.end_session(token.sub, token.sid)


def logout_everywhere(token: TokenPayload) -> int:
    sessions.revoke_token(token.sub, token.jti, token.exp)
    return sessions.end_all_sessions(token.sub)


def update_profile(db: Session, user: User, changes: UserUpdate) -> User:
    for name, value in changes.model_dump(exclude_unset=True).items():
        setattr(user, name, value)
    db.commit()  # updated_at follows through the column's onupdate
    return user


def _confirm_password(
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
    _confirm_password(user, current, client_ip, token.sid)
    set_password(db, user, new, keep_session=token.sid)
    events.record(db, user.id, EventKind.PASSWORD_CHANGED, session_id=token.sid)


def delete_account(
    db: Session, user: User, password: str, client_ip: str, *, session_id: uuid.UUID | None = None
) -> None:
    """Soft delete: the row stays (deleted_at), every session ends, the email is free again."""
    _confirm_password(user, password, client_ip, session_id)
    user.deleted_at = datetime.now(UTC)
    db.commit()
    sessions.end_all_sessions(user.id)
    events.record(db, user.id, EventKind.ACCOUNT_DELETED)


def end_own_session(db: Session, token: TokenPayload, session_id: uuid.UUID) -> None:
    """Sign one of the caller's sessions out (and its device token); another's is not found."""
    if not sessions.end_session_and_device(token.sub, session_id):
        raise NotFound()
    events.record(db, token.sub, EventKind.SESSION_REVOKED, session_id=session_id)
