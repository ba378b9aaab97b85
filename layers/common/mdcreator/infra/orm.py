"""The declarative base every domain's models share, and its reusable column types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime, func
from sqlalchemy.orm import DeclarativeBase, mapped_column


def utc_now() -> datetime:
    return datetime.now(UTC)


Timestamp = Annotated[
    datetime,
    mapped_column(DateTime(timezone=True), default=utc_now, server_default=func.now()),
]


class Base(DeclarativeBase):
    pass
