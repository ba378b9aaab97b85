"""Keyset pagination: an opaque cursor holds the sort key of the last row of a page.

The next page starts after that key (`(a, b) > (:a, :b)` on an index), never at an OFFSET,
so page 40 costs what page 1 does. A cursor names a position, not a permission: every query
that takes one still filters by what the caller may see.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from ..core.errors import BadRequest


class InvalidCursor(BadRequest):
    detail = "Invalid cursor"


@dataclass(frozen=True)
class Position:
    """A row's place in a listing ordered by (at, id)."""

    at: datetime
    id: uuid.UUID


def encode(position: Position) -> str:
    raw = f"{position.at.isoformat()}|{position.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, ident = raw.partition("|")
        position = Position(datetime.fromisoformat(at), uuid.UUID(ident))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
    if position.at.tzinfo is None:
        raise InvalidCursor()
    return position
