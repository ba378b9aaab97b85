"""Bodies every domain shares: errors, plain messages, the health answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Message(BaseModel):
    message: str


class ErrorResponse(BaseModel):
    detail: str | list[dict[str, object]]


class HealthResponse(BaseModel):
    status: Literal["healthy", "unhealthy"]
    checks: dict[str, Literal["ok", "unavailable"]]
