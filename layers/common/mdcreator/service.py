"""Account use cases. Raises domain errors only; knows nothing of HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import store
from .config import get_settings
from .errors import EmailAlreadyRegistered, InvalidCredentials, InvalidToken
from .models import User
from .schemas import Token, UserCreate, UserLogin, UserResponse
from .security import hash_password, verify_dummy_password, verify_password
from .tokens import TokenPayload, create_token, decode_token


def find_user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == email.lower()))


def signup(db: Session, data: UserCreate) -> User:
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


def authenticate(db: Session, credentials: UserLogin) -> User:
    user = find_user_by_email(db, credentials.email)
    if user is None or user.deleted_at is not None:
        verify_dummy_password(credentials.password)
        raise InvalidCredentials()
    if not verify_password(credentials.password, user.password_hash):
        raise InvalidCredentials()
    return user


def login(db: Session, credentials: UserLogin) -> Token:
    user = authenticate(db, credentials)
    settings = get_settings()
    now = datetime.now(UTC)
    # The session must exist before any token does: no token we could not revoke.
    session_id = store.start_session(
        user.id, now + timedelta(days=settings.refresh_token_expire_days)
    )
    user.last_seen_at = now
    db.commit()
    return Token(
        access_token=create_token(user.id, session_id, "access"),
        refresh_token=create_token(user.id, session_id, "refresh"),
        expires_in=settings.access_token_expire_minutes * 60,
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


def logout(payload: TokenPayload) -> None:
    store.revoke_token(payload.jti, payload.exp)
    store.end_session(payload.sid)
