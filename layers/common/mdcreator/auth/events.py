"""Security events: what happened to an account, when, from where. Append only.

Recording never fails the use case it describes: a row that cannot be written is logged and
skipped (the use case's own work is committed already). The table refuses UPDATE, and DELETE
outside the retention purge (see migration 0004).
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    String,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from ..core.config import get_settings
from ..core.context import current_client
from ..infra.orm import Base, utc_now
from .errors import InvalidCursor

logger = logging.getLogger("mdcreator.events")

# The session variable the purge sets, within its transaction only, to the moment before
# which the table's trigger lets it delete rows.
PURGE_SETTING = "mdcreator.security_events_purge_before"


class EventKind(StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    NEW_DEVICE = "new_device"
    REFRESH_REUSE_DETECTED = "refresh_reuse_detected"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGE_CONFIRMED = "email_change_confirmed"
    EMAIL_CHANGE_REVERTED = "email_change_reverted"
    SESSION_REVOKED = "session_revoked"
    SESSION_DENIED = "session_denied"  # "this wasn't me" from a new-device mail
    LOGOUT_ALL = "logout_all"
    ACCOUNT_DELETED = "account_deleted"


class SecurityEvent(Base):
    __tablename__ = "security_events"
    # The history of one account, newest first, is read by (user_id, occurred_at, id) only.
    __table_args__ = (
        Index("ix_security_events_user_id_occurred_at", "user_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    user_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, server_default=func.now(), index=True
    )
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    session_id: Mapped[uuid.UUID | None]
    details: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )


def _row(
    user_id: uuid.UUID, kind: EventKind, session_id: uuid.UUID | None, details: dict[str, str]
) -> dict[str, Any]:
    client = current_client()
    return {
        "user_id": user_id,
        "kind": kind.value,
        "occurred_at": datetime.now(UTC),
        "ip": client.ip,
        "user_agent": client.user_agent,
        "session_id": session_id,
        "details": details,
    }


def record(
    db: Session,
    user_id: uuid.UUID,
    kind: EventKind,
    *,
    session_id: uuid.UUID | None = None,
    **details: str,
) -> None:
    """Append one event, committed on its own; where the request came from is the client's."""
    try:
        db.execute(insert(SecurityEvent).values(**_row(user_id, kind, session_id, details)))
        db.commit()
    except SQLAlchemyError:
        db.rollback()
        logger.warning("security event not recorded", extra={"fields": {"kind": kind.value}})


def record_login(db: Session, user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
    """Append a successful login; True when it is the account's first (one round trip)."""
    earlier = aliased(SecurityEvent)
    prior = (
        select(earlier.id)
        .where(earlier.user_id == user_id, earlier.kind == EventKind.LOGIN_SUCCEEDED.value)
        .exists()
    )
    statement = (
        insert(SecurityEvent)
        .values(**_row(user_id, EventKind.LOGIN_SUCCEEDED, session_id, {}))
        .returning(prior)
    )
    try:
        seen_before = bool(db.scalar(statement))
        db.commit()
    except SQLAlchemyError:
        db.rollback()
        logger.warning("security event not recorded", extra={"fields": {"kind": "login"}})
        return False
    return not seen_before


def encode_cursor(event: SecurityEvent) -> str:
    raw = f"{event.occurred_at.timestamp():.6f}:{event.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, event_id = raw.split(":", 1)
        at, number = datetime.fromtimestamp(float(moment), UTC), int(event_id)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError, OSError):
        raise InvalidCursor() from None
    if not 0 < number < 2**63:
        raise InvalidCursor()
    return at, number


def list_events(
    db: Session, user_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[SecurityEvent], str | None]:
    """The account's events newest first, `limit` per page; keyset on (time, id)."""
    query = select(SecurityEvent).where(SecurityEvent.user_id == user_id)
    if cursor is not None:
        query = query.where(
            tuple_(SecurityEvent.occurred_at, SecurityEvent.id) < tuple_(*decode_cursor(cursor))
        )
    order = (SecurityEvent.occurred_at.desc(), SecurityEvent.id.desc())
    rows = list(db.scalars(query.order_by(*order).limit(limit + 1)))
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1]) if len(rows) > limit else None
    return page, next_cursor


def purge_expired(db: Session, now: datetime | None = None) -> int:
    """Delete the events older than SECURITY_EVENT_RETENTION_DAYS; returns how many."""
    moment = now or datetime.now(UTC)
    before = moment - timedelta(days=get_settings().security_event_retention_days)
    db.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": PURGE_SETTING, "value": before.isoformat()},
    )
    deleted = db.execute(delete(SecurityEvent).where(SecurityEvent.occurred_at < before))
    db.commit()
    return int(deleted.rowcount)  # type: ignore[attr-defined]
