"""Scheduled (EventBridge): delete uploads never completed and discarded attachments."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from mdcreator.attachments.purge import purge
from mdcreator.core.config import get_settings
from mdcreator.core.logs import configure_logging
from mdcreator.infra.db import get_engine

configure_logging(get_settings().log_level)
logger = logging.getLogger("mdcreator.purge")


def handler(_event: dict[str, Any], _context: Any) -> dict[str, int]:
    with Session(get_engine(), expire_on_commit=False) as db:
        done = purge(db)
    logger.info("purged %d attachments", done.objects)
    return {"purged": done.objects}
