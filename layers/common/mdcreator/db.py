"""One engine per process: a Lambda environment serves one request at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from .config import get_settings
from .errors import DependencyUnavailable

# Errors meaning "the database is not there", as opposed to bugs or constraint violations.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return create_engine(
        settings.database_url,
        pool_size=1,
        max_overflow=0,
        pool_timeout=settings.db_connect_timeout_s,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": settings.db_connect_timeout_s,
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
        },
    )


async def get_db() -> AsyncIterator[Session]:
    """Request-scoped session; a lost database surfaces as DependencyUnavailable.

    async although the session blocks: a Lambda environment serves one request at a time,
    so blocking the event loop costs nothing, while a sync dependency would cost a thread
    hop (FastAPI runs those in a worker thread) on every request.
    """
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except UNAVAILABLE_ERRORS as exc:
            raise DependencyUnavailable("database") from exc


def ping_database() -> None:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except UNAVAILABLE_ERRORS as exc:
        raise DependencyUnavailable("database") from exc
