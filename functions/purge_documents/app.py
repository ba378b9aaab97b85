"""PurgeDocumentsFunction, on a schedule: trash older than TRASH_RETENTION_DAYS and the
documents of workspaces deleted that long ago go for good, revisions and shares with them.

    sam local invoke PurgeDocumentsFunction -e events/purge_documents.json

It acts for no user: the purge passes row-level security through mdc_purge_documents()
(migration 0006), which reaches trashed documents only.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from mdcreator.core.config import get_settings
from mdcreator.core.logs import configure_logging
from mdcreator.core.snapstart import register_hooks
from mdcreator.documents import service
from mdcreator.infra.db import UNAVAILABLE_ERRORS, get_engine

configure_logging(get_settings().log_level)
register_hooks()
logger = logging.getLogger("mdcreator.purge")


def handler(_event: dict[str, Any] | None = None, _context: object = None) -> dict[str, Any]:
    try:
        with Session(get_engine()) as db:
            purged = service.purge(db)
    except UNAVAILABLE_ERRORS:
        logger.warning("purge skipped: database unavailable")
        raise
    logger.info("purged documents", extra={"fields": {"purged": purged}})
    return {"purged": purged, "retention_days": get_settings().trash_retention_days}
