"""Account use cases. Raises domain errors only; knows nothing of HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import limits, store
from .config import get_settings
from .errors import (
    EmailAlreadyRegistered,
    IncorrectPassword,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
)
from .models import User
from .schemas import Token, UserCreate, UserLogin, UserResponse, UserUpdate
from .security import hash_password, verify_dummy_password, verify_password
from .store import Rotation
from .tokens import TokenPayload, create_token, decode_token


def find_user_by_email(db: Session, email: str) -> User | None:
    """The live account with this email; deleted ones no longer own their address."""
    query = select(User).where(func.lower(User.email) == email.lower(), User.deleted_at.is_(None))
    return db.scalar(query)


def signup(db: Session, data: UserCreate, client_ip: str) -> User:
    limits.check_signup_allowed(client_ip)
    if find_user_by_email(db, data.email) is not None:
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


def _authenticate(db: Session, credentials: UserLogin) -> User:
    user = find_user_by_email(db, credentials.email)
    if user is None:
        verify_dummy_password(credentials.password)
        raise InvalidCredentials()
    if not verify_password(credentials.password, user.password_hash):
        raise InvalidCredentials()
    return user


def login(db: Session, credentials: UserLogin, client_ip: str) -> Token:
    limits.check_login_allowed(credentials.email, client_ip)
    try:
        user = _authenticate(db, credentials)
    except InvalidCredentials:
        limits.record_login_failure(credentials.email, client_ip)
        raise
    limits.clear_login_failures(credentials.email)
    session_id, refresh_jti = uuid.uuid4(), uuid.uuid4()
    # The session exists before any token does: no token we could not revoke.
    store.create_session(user.id, session_id, refresh_jti)
    touch_last_seen(db, user, force=True)
    return _issue_tokens(user, session_id, refresh_jti)


def refresh(db: Session, refresh_token: str) -> Token:
    payload = decode_token(refresh_token, "refresh")
    new_jti = uuid.uuid4()
    outcome = store.rotate_refresh_token(payload.sub, payload.sid, payload.jti, new_jti)
    if outcome is Rotation.REUSED:
        raise RefreshTokenReused("rotated refresh token presented again; session revoked")
    if outcome is not Rotation.ROTATED:
        raise InvalidToken(f"refresh refused: {outcome}")
    user = db.get(User, payload.sub)
    if user is None or user.deleted_at is not None:
        store.end_session(payload.sub, payload.sid)
        raise InvalidToken("account gone")
    return _issue_tokens(user, payload.sid, new_jti)


def _issue_tokens(user: User, session_id: uuid.UUID, refresh_jti: uuid.UUID) -> Token:
    return Token(
        access_token=create_token(user.id, session_id, "access"),
        refresh_token=create_token(user.id, session_id, "refresh", jti=refresh_jti),
        expires_in=get_settings().access_token_expire_minutes * 60,
        user=UserResponse.model_validate(user),
    )


def verify_access_token(token: str) -> TokenPayload:
    payload = decode_token(token, "access")
    if not store.is_token_live(payload.jti, payload.sid):
        raise InvalidToken("token revoked")
    return payload


def get_token_owner(db: Session, payload: TokenPayload) -> User:
    user = db.get(User, payload.sub)
    if user is None or user.deleted_at is not None:
        raise InvalidToken("account gone")
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


def logout(payload: TokenPayload) -> None:
    store.revoke_token(payload.jti, payload.exp)
    store.end_session(payload.sub, payload.sid)


def logout_everywhere(payload: TokenPayload) -> int:
    store.revoke_token(payload.jti, payload.exp)
    return store.end_all_sessions(payload.sub)


def update_profile(db: Session, user: User, changes: UserUpdate) -> User:
    for name, value in changes.model_dump(exclude_unset=True).items():
        setattr(user, name, value)
    db.commit()  # updated_at follows through the column's onupdate
    return user


def _confirm_password(user: User, password: str, client_ip: str) -> None:
    # Counted like failed logins: a stolen access token must not brute-force the password.
    limits.check_login_allowed(user.email, client_ip)
    if not verify_password(password, user.password_hash):
        limits.record_login_failure(user.email, client_ip)
        raise IncorrectPassword()


def change_password(
    db: Session, user: User, token: TokenPayload, current: str, new: str, client_ip: str
) -> int:
    """Set a new password; every other session ends. Returns how many ended."""
    _confirm_password(user, current, client_ip)
    # Sessions end first: if the database then fails, the old password stays with fewer
    # sessions, never a new password with the old sessions alive.
    ended = store.end_all_sessions(user.id, keep=token.sid)
    user.password_hash = hash_password(new)
    db.commit()
    return ended


def delete_account(db: Session, user: User, password: str, client_ip: str) -> None:
    """Soft delete: the row stays (deleted_at), every session ends, the email is free again."""
    _confirm_password(user, password, client_ip)
    store.end_all_sessions(user.id)
    user.deleted_at = datetime.now(UTC)
    db.commit()
