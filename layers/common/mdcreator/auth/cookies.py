"""Cookie mode: a browser's refresh and device tokens in HttpOnly cookies, out of scripts' reach.

A client opts in per request with `X-Refresh-Token-Mode: cookie`. Token answers then carry the
access token in the body (kept in memory by the SPA) and set

  mdc_refresh  the refresh token; Path=/api/auth, Max-Age = what is left of its session
  mdc_device   the device token; Path=/api/auth/login, the only route that reads it

both `HttpOnly; Secure; SameSite=<COOKIE_SAMESITE>`. Because the browser sends the refresh
cookie by itself, refreshing from it needs what a page on another site cannot produce: the
custom header (a cross-origin request with it needs a CORS preflight, which only the SPA's
origins pass) and, when the browser names one, an Origin among the SPA's.

A sibling subdomain can set its own `mdc_refresh` for our host (Domain=.example.com): a
refresh that carries more than one is refused (400), not answered from the last. The names
stay without the `__Host-` prefix, which would refuse such cookies in the browser: it needs
Path=/, and then the refresh token would travel with every request to the API's host, not
only to /api/auth; renaming would also end every browser session at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from fastapi import Response

from ..core.config import get_settings
from .errors import CookieModeRequired, InvalidToken, OriginNotAllowed
from .schemas import CookieToken, LoginToken, Token

MODE_HEADER = "X-Refresh-Token-Mode"
REFRESH_COOKIE = "mdc_refresh"
DEVICE_COOKIE = "mdc_device"
REFRESH_PATH = "/api/auth"
DEVICE_PATH = "/api/auth/login"

TokenT = TypeVar("TokenT", bound=Token)

# What a route's Set-Cookie header does, for the OpenAPI document.
ISSUES_COOKIES = (
    f"Cookie mode only: `{REFRESH_COOKIE}` (the refresh token; HttpOnly; Secure; "
    f"Path={REFRESH_PATH}; SameSite=COOKIE_SAMESITE; Max-Age = the session's remaining life) "
    f"and, when a session starts, `{DEVICE_COOKIE}` (the device token; HttpOnly; Secure; "
    f"Path={DEVICE_PATH})."
)
CLEARS_REFRESH_COOKIE = (
    f"`{REFRESH_COOKIE}` with Max-Age=0; `{DEVICE_COOKIE}` stays: the device token is still "
    "valid, the browser's proof of an earlier login for the next one."
)
CLEARS_COOKIES = (
    f"`{REFRESH_COOKIE}` and `{DEVICE_COOKIE}` with Max-Age=0: the browser forgets both."
)
CLEARS_DEVICE_COOKIE = (
    f"`{DEVICE_COOKIE}` with Max-Age=0 (device tokens are revoked); `{REFRESH_COOKIE}` stays, "
    "this session survives."
)


def set_cookie_docs(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry for a route answer's Set-Cookie headers."""
    header = {"description": description, "schema": {"type": "string"}}
    return {status: {"headers": {"Set-Cookie": header}}}


def count_cookies(header: str | None, name: str) -> int:
    """How many cookies of this name a Cookie header carries (a browser sends one per
    domain and path that set one)."""
    if not header:
        return 0
    return sum(1 for pair in header.split(";") if pair.strip().partition("=")[0] == name)


def check_origin(origin: str | None) -> None:
    """Browsers name the page's origin on every cross-origin POST; clients that are no
    browser send none and have no cookie a page could abuse."""
    if origin is not None and origin not in get_settings().spa_origins():
        raise OriginNotAllowed()


_SAMESITE: dict[str, Literal["lax", "strict", "none"]] = {
    "Lax": "lax",
    "Strict": "strict",
    "None": "none",
}


def _set(response: Response, name: str, value: str, path: str, max_age: int) -> None:
    samesite = _SAMESITE[get_settings().cookie_samesite]
    response.set_cookie(
        name, value, max_age=max_age, path=path, secure=True, httponly=True, samesite=samesite
    )


def _clear(response: Response, name: str, path: str) -> None:
    _set(response, name, "", path, max_age=0)


def clear_refresh_cookie(response: Response) -> None:
    """Logout: this session ends; the device token stays valid, and so does its cookie (else
    outsiders tripping the account-wide limit would lock the owner's browser out)."""
    _clear(response, REFRESH_COOKIE, REFRESH_PATH)


def clear_session_cookies(response: Response) -> None:
    """Logout-all, deletion: every device token is revoked, the browser forgets both."""
    _clear(response, REFRESH_COOKIE, REFRESH_PATH)
    _clear(response, DEVICE_COOKIE, DEVICE_PATH)


def clear_device_cookie(response: Response) -> None:
    """Password change: every device token is revoked; this session's refresh cookie stays."""
    _clear(response, DEVICE_COOKIE, DEVICE_PATH)


def _seconds_left(token: Token) -> int:
    """Until the refresh token dies: REFRESH_TOKEN_EXPIRE_DAYS, capped at its session's end
    (login + SESSION_MAX_AGE_DAYS)."""
    ends = token.refresh_expires_at
    return 0 if ends is None else max(0, int((ends - datetime.now(UTC)).total_seconds()))


@dataclass(frozen=True)
class Delivery:
    """How this request's tokens travel back: in the body, or as cookies (cookie mode)."""

    cookie_mode: bool
    response: Response

    def answer(self, token: TokenT) -> TokenT | CookieToken:
        if not self.cookie_mode:
            return token
        _set(
            self.response,
            REFRESH_COOKIE,
            token.refresh_token,
            REFRESH_PATH,
            _seconds_left(token),
        )
        if isinstance(token, LoginToken):
            days = get_settings().device_token_ttl_days
            _set(self.response, DEVICE_COOKIE, token.device_token, DEVICE_PATH, days * 86_400)
        return CookieToken(**token.model_dump(exclude={"refresh_token", "device_token"}))

    def refresh_token(self, body_token: str | None, cookie: str | None) -> str | None:
        """The refresh token this request presents; None when it presents none at all.

        A token in the body is used as it is and the cookie is not read: the body names a
        session explicitly, the cookie only comes along (a client without cookie mode may
        share a browser with one that uses it). Only then does the cookie count, in cookie
        mode only.
        """
        if body_token is not None:
            return body_token
        if cookie is None:
            if self.cookie_mode:
                raise InvalidToken("no refresh cookie")
            return None
        if not self.cookie_mode:
            raise CookieModeRequired()
        return cookie
