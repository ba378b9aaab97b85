"""PurgeSecurityEventsFunction - delete security events past SECURITY_EVENT_RETENTION_DAYS.

Run by an EventBridge schedule, not behind the gateway; by hand:

    sam local invoke PurgeSecurityEventsFunction -e events/purge_security_events.json

Idempotent: a second run finds nothing more to delete. Answers how many rows went.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from mdcreator.auth.events import purge_expired
from mdcreator.core.config import get_settings
from mdcreator.core.logs import configure_logging
from mdcreator.infra.db import get_engine

configure_logging(get_settings().log_level)
logger = logging.getLogger("mdcreator.purge")


def handler(_event: dict[str, Any] | None = None, _context: object = None) -> dict[str, Any]:
    with Session(get_engine(), expire_on_commit=False) as db:
        deleted = purge_expired(db)
    days = get_settings().security_event_retention_days
    logger.info("security events purged", extra={"fields": {"deleted": deleted, "days": days}})
    return {"deleted": deleted, "retention_days": days}
