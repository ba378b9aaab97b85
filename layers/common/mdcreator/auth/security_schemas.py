"""Answers of the user's own security views: sessions, history, undo links."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..http.schemas import Moment
from .schemas import UserResponse

PageLimit = Annotated[int, Field(ge=1, le=100)]
Cursor = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")]


class ResetGrant(BaseModel):
    """A reset token for POST /api/auth/password/reset: the link proved the mailbox."""

    message: str
    reset_token: str = Field(description="Use within PASSWORD_RESET_TTL_S to choose a password")


class EmailRevertAnswer(ResetGrant):
    user: UserResponse


class SessionItem(BaseModel):
    id: uuid.UUID
    created_at: Moment
    last_used_at: Moment
    ip: str | None
    user_agent: str | None
    browser: str | None
    os: str | None
    current: bool


class SessionPage(BaseModel):
    items: list[SessionItem]
    next_cursor: str | None


class SecurityEventItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    occurred_at: Moment
    ip: str | None
    user_agent: str | None
    session_id: uuid.UUID | None
    details: dict[str, str]


class SecurityEventPage(BaseModel):
    items: list[SecurityEventItem]
    next_cursor: str | None
