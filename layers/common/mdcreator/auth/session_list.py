"""The caller's sessions as the sessions function lists and ends them (browser and OS parsed)."""

from __future__ import annotations

import base64
import binascii
import uuid

from sqlalchemy.orm import Session

from ..core.errors import NotFound
from . import agents, events, sessions
from .errors import InvalidCursor
from .events import EventKind
from .security_schemas import SessionItem, SessionPage
from .sessions import SessionInfo
from .tokens import TokenPayload


def _order(info: SessionInfo) -> tuple[float, str]:
    return info.created_at.timestamp(), str(info.id)


def _encode(info: SessionInfo) -> str:
    raw = f"{info.created_at.timestamp():.3f}:{info.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[float, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, session_id = raw.split(":", 1)
        return float(moment), str(uuid.UUID(session_id))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None


def list_own_sessions(token: TokenPayload, limit: int, cursor: str | None) -> SessionPage:
    """Newest login first; a session has at most MAX_SESSIONS_PER_USER siblings, so the page
    is cut from the whole (short) list, keyed on (login time, id)."""
    found = sorted(sessions.list_sessions(token.sub), key=_order, reverse=True)
    if cursor is not None:
        after = _decode(cursor)
        found = [info for info in found if _order(info) < after]
    page = found[:limit]
    items = []
    for info in page:
        browser, system = agents.describe(info.user_agent)
        items.append(
            SessionItem(
                id=info.id,
                created_at=info.created_at,
                last_used_at=info.last_used_at,
                ip=info.ip,
                user_agent=info.user_agent,
                browser=browser,
                os=system,
                current=info.id == token.sid,
            )
        )
    next_cursor = _encode(page[-1]) if len(found) > limit else None
    return SessionPage(items=items, next_cursor=next_cursor)


def end_own_session(db: Session, token: TokenPayload, session_id: uuid.UUID) -> None:
    """Sign one of the caller's sessions out (and its device token); another's is not found."""
    if not sessions.end_session_and_device(token.sub, session_id):
        raise NotFound()
    events.record(db, token.sub, EventKind.SESSION_REVOKED, session_id=session_id)
