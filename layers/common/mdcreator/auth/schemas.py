"""Request and response bodies (Pydantic v2)."""

from __future__ import annotations

import json
import math
import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    JsonValue,
    PrivateAttr,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from ..http.schemas import Moment
from .password_rules import MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARACTERS, normalize_password


def _reject_nul(value: str) -> str:
    # Postgres text cannot hold NUL, nor a lone surrogate (JSON's "\ud800", which str fields
    # refuse already but JsonValue strings do not); refuse both here rather than fail on insert.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if not value.isascii() and any("\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("must not contain lone surrogates")
    return value


def _normalise_email(value: str) -> str:
    return value.strip().lower()


def _refuse_encoded_words(value: str) -> str:
    # "=?utf-8?q?…?=" is valid atext, but Python's email package decodes it when the address
    # goes into a To header: a link would go to another mailbox than the one the account
    # holds, or the header would break. No real mailbox needs it.
    if "=?" in value:
        raise ValueError("must not contain an encoded word (=?)")
    return value


def _check_password_bytes(value: str) -> str:
    size = len(value.encode())
    if size > MAX_PASSWORD_BYTES:
        raise ValueError(f"must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8")
    return _reject_nul(value)


def _check_new_password(value: str) -> str:
    # Counted on the form that is hashed: NFKC can turn one character into many.
    normalized = normalize_password(_reject_nul(value))
    if len(normalized) < MIN_PASSWORD_CHARACTERS:
        raise ValueError(f"must be at least {MIN_PASSWORD_CHARACTERS} characters")
    if len(normalized.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8 after NFKC")
    return value


MAX_SETTINGS_BYTES = 16 * 1024
MAX_SETTINGS_DEPTH = 8


def _check_http_url(value: str) -> str:
    parts = urlsplit(_reject_nul(value))
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in value)
    ):
        raise ValueError("must be an http or https URL")
    return value


def _depth(value: JsonValue) -> int:
    """Nesting depth of a JSON value; refuses what JSONB cannot hold: NUL, NaN, Infinity."""
    if isinstance(value, str):
        _reject_nul(value)
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must not contain NaN or Infinity")
    if isinstance(value, dict):
        for name in value:
            _reject_nul(name)
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    return 0


def _check_settings(value: dict[str, JsonValue]) -> dict[str, JsonValue]:
    if _depth(value) > MAX_SETTINGS_DEPTH:
        raise ValueError(f"must be nested at most {MAX_SETTINGS_DEPTH} levels deep")
    if len(json.dumps(value).encode()) > MAX_SETTINGS_BYTES:
        raise ValueError(f"must be at most {MAX_SETTINGS_BYTES} bytes as JSON")
    return value


CleanStr = Annotated[str, AfterValidator(_reject_nul)]
DeviceToken = Annotated[CleanStr, Field(min_length=1, max_length=256)]
DisplayName = Annotated[CleanStr, Field(min_length=1, max_length=255)]
AvatarUrl = Annotated[str, Field(max_length=500), AfterValidator(_check_http_url)]
Bio = Annotated[CleanStr, Field(max_length=1000)]
UserSettings = Annotated[dict[str, JsonValue], AfterValidator(_check_settings)]
Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_normalise_email)]
# An address an account takes (signup, email change); logins and forgot accept any `Email`.
NewEmail = Annotated[Email, AfterValidator(_refuse_encoded_words)]
Password = Annotated[
    str, Field(max_length=MAX_PASSWORD_BYTES), AfterValidator(_check_password_bytes)
]
NewPassword = Annotated[
    str, Field(max_length=MAX_PASSWORD_BYTES), AfterValidator(_check_new_password)
]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class UserCreate(RequestModel):
    email: NewEmail
    password: NewPassword
    display_name: DisplayName | None = None


class UserLogin(RequestModel):
    email: Email
    password: Password
    device_token: DeviceToken | None = Field(
        default=None, description="From an earlier successful login of this account, if any."
    )


class UserUpdate(RequestModel):
    """Partial update: only the fields sent change; avatar_url and bio may be cleared with null."""

    # display_name and settings cannot be null; SkipJsonSchema keeps null out of the docs.
    display_name: DisplayName | SkipJsonSchema[None] = None
    settings: UserSettings | SkipJsonSchema[None] = None
    avatar_url: AvatarUrl | None = None
    bio: Bio | None = None

    @model_validator(mode="after")
    def _refuse_null(self) -> UserUpdate:
        for name in ("display_name", "settings"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class RefreshRequest(RequestModel):
    refresh_token: Annotated[CleanStr, Field(min_length=1, max_length=4096)]


class PasswordChange(RequestModel):
    current_password: Password
    new_password: NewPassword


class AccountDelete(RequestModel):
    password: Password


LinkToken = Annotated[CleanStr, Field(min_length=1, max_length=512)]


class LinkTokenBody(RequestModel):
    """The token from a mailed link (verify-email, confirm-email)."""

    token: LinkToken


class PasswordForgot(RequestModel):
    email: Email


class PasswordReset(RequestModel):
    token: LinkToken
    new_password: NewPassword


class EmailChange(RequestModel):
    new_email: NewEmail
    password: Password


class UserResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str | None
    email_verified: bool
    avatar_url: str | None
    subscription_tier: str
    created_at: Moment
    last_seen_at: Moment


class ProfileResponse(UserResponse):
    """What the owner sees of their own account (GET/PATCH /api/auth/me)."""

    bio: str | None
    settings: dict[str, JsonValue]
    updated_at: Moment


class AccessTokenAnswer(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Lifetime of the access token in seconds.")
    user: UserResponse


class Token(AccessTokenAnswer):
    refresh_token: str = Field(
        description="Opaque: send it to /api/auth/refresh, nowhere else; it is no JWT."
    )
    # When the refresh token dies (its session's key expires then): the refresh cookie's
    # Max-Age. Not part of the answer's body.
    _refresh_expires_at: datetime | None = PrivateAttr(default=None)

    @property
    def refresh_expires_at(self) -> datetime | None:
        return self._refresh_expires_at

    def with_refresh_expiry(self, moment: datetime) -> Token:
        self._refresh_expires_at = moment
        return self

    def with_device_token(self, device_token: str) -> LoginToken:
        login = LoginToken(**self.model_dump(), device_token=device_token)
        login._refresh_expires_at = self._refresh_expires_at
        return login


class LoginToken(Token):
    """A new session: the token pair and a device token for later logins."""

    device_token: str = Field(
        description="Proof of this successful login: send it back as `device_token` when "
        "logging in again, and the account-wide lockout against distributed guessing does "
        "not apply. Revoked by logout-all and password changes."
    )


class CookieToken(AccessTokenAnswer):
    """Cookie mode (`X-Refresh-Token-Mode: cookie`): the access token, to be kept in memory;
    the refresh token is in the HttpOnly cookie `mdc_refresh`, a device token in `mdc_device`."""

    # A body that still held a refresh or device token would not validate as this one.
    model_config = ConfigDict(extra="forbid")


class PublicJwk(BaseModel):
    """An ES256 public key as published: the model has no field a private member could use."""

    model_config = ConfigDict(extra="forbid")

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str
    use: Literal["sig"]
    alg: Literal["ES256"]


class JwkSet(BaseModel):
    keys: list[PublicJwk]
