"""Sessions that start (login, password reset) and renew (refresh), and the tokens they get.

Raises domain errors only; knows nothing of HTTP.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from ..core import logs, metrics
from ..core.config import get_settings
from . import events, sessions
from .errors import InvalidCredentials, InvalidToken, RefreshTokenReused
from .events import EventKind
from .models import User
from .schemas import LoginToken, Token, UserResponse
from .sessions import Rotation
from .tokens import (
    RefreshToken,
    create_access_token,
    decode_legacy_refresh_token,
    refresh_digest,
)
from .users import end_read, touch_last_seen


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
