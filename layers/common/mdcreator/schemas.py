"""Request and response bodies (Pydantic v2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from .security import MAX_PASSWORD_BYTES, MIN_PASSWORD_BYTES


def _reject_nul(value: str) -> str:
    # Postgres text cannot hold NUL; refuse it here rather than fail on insert.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _normalise_email(value: str) -> str:
    return value.strip().lower()


def _check_password_bytes(value: str) -> str:
    size = len(value.encode())
    if size > MAX_PASSWORD_BYTES:
        raise ValueError(f"must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8")
    return _reject_nul(value)


def _check_new_password(value: str) -> str:
    if len(value.encode()) < MIN_PASSWORD_BYTES:
        raise ValueError(f"must be at least {MIN_PASSWORD_BYTES} bytes in UTF-8")
    return _check_password_bytes(value)


CleanStr = Annotated[str, AfterValidator(_reject_nul)]
Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_normalise_email)]
Password = Annotated[
    str, Field(max_length=MAX_PASSWORD_BYTES), AfterValidator(_check_password_bytes)
]
NewPassword = Annotated[
    str, Field(max_length=MAX_PASSWORD_BYTES), AfterValidator(_check_new_password)
]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class UserCreate(RequestModel):
    email: Email
    password: NewPassword
    display_name: Annotated[CleanStr, Field(min_length=1, max_length=255)] | None = None


class UserLogin(RequestModel):
    email: Email
    password: Password


class UserResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str | None
    email_verified: bool
    avatar_url: str | None
    subscription_tier: str
    created_at: datetime
    last_seen_at: datetime


class Token(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Lifetime of the access token in seconds.")
    user: UserResponse


class Message(BaseModel):
    message: str


class ErrorResponse(BaseModel):
    detail: str | list[dict[str, object]]


class HealthResponse(BaseModel):
    status: Literal["healthy", "unhealthy"]
    checks: dict[str, Literal["ok", "unavailable"]]
