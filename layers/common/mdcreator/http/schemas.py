"""Bodies every domain shares: errors, plain messages, the health answer, moments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, PlainSerializer, WithJsonSchema


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# Pydantic drops a zero fraction ("…:13Z" beside "…:13.023000Z"), and a client comparing
# the strings then orders them wrong; one width in UTC keeps string order = time order.
Moment = Annotated[
    datetime,
    PlainSerializer(_utc_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Message(BaseModel):
    message: str


class ErrorResponse(BaseModel):
    detail: str | list[dict[str, object]]


class HealthResponse(BaseModel):
    status: Literal["healthy", "unhealthy"]
    checks: dict[str, Literal["ok", "unavailable"]]
