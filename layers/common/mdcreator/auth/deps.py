"""Dependencies of accounts and sessions; `CurrentUser` is what other domains use.

A route that needs the access token alone takes `AccessToken` (from access.py, re-exported
here), which loads no database code.

Dependencies and routes are `async def` on purpose, see infra.db.get_db.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Cookie, Depends, Header, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from ..http.deps import DbSession
from . import cookies
from .access import AccessToken
from .errors import DuplicateRefreshCookie
from .models import User
from .schemas import DeviceToken, RefreshRequest, UserLogin
from .users import end_read, get_token_owner

__all__ = [
    "AccessToken",
    "CurrentUser",
    "LoginCredentials",
    "PresentedRefreshToken",
    "TokenDelivery",
]


async def get_current_user(db: DbSession, token: AccessToken) -> User:
    user = get_token_owner(db, token)
    # What the route does next may be slow (bcrypt, Redis, mail): no transaction waits on it.
    end_read(db)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


# --- Cookie mode (cookies.py) ----------------------------------------------------------------


async def get_token_delivery(
    response: Response,
    mode: Annotated[
        Literal["cookie"] | None,
        Header(
            alias=cookies.MODE_HEADER,
            description="`cookie` for a browser: the refresh token travels in the HttpOnly "
            f"cookie `{cookies.REFRESH_COOKIE}` and the device token in `{cookies.DEVICE_COOKIE}`,"
            " not in the body. Absent: every token in the body.",
        ),
    ] = None,
    origin: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> cookies.Delivery:
    if mode is not None:
        cookies.check_origin(origin)
    return cookies.Delivery(cookie_mode=mode is not None, response=response)


TokenDelivery = Annotated[cookies.Delivery, Depends(get_token_delivery)]

_device_token: TypeAdapter[str] = TypeAdapter(DeviceToken)


async def get_login_credentials(
    credentials: UserLogin,
    delivery: TokenDelivery,
    device_cookie: Annotated[
        str | None,
        Cookie(
            alias=cookies.DEVICE_COOKIE,
            description="Cookie mode: the device token of an earlier login (used when the body "
            "has none).",
        ),
    ] = None,
) -> UserLogin:
    if not delivery.cookie_mode or credentials.device_token is not None or device_cookie is None:
        return credentials
    try:
        device = _device_token.validate_python(device_cookie)
    except ValidationError:
        return credentials  # a mangled cookie counts as none: it must not stop a login
    return credentials.model_copy(update={"device_token": device})


LoginCredentials = Annotated[UserLogin, Depends(get_login_credentials)]


async def get_refresh_token(
    delivery: TokenDelivery,
    body: RefreshRequest | None = None,
    refresh_cookie: Annotated[
        str | None,
        Cookie(
            alias=cookies.REFRESH_COOKIE,
            description="Cookie mode: the refresh token, used when there is no body; needs "
            f"`{cookies.MODE_HEADER}: cookie` and, from a browser, an SPA Origin.",
        ),
    ] = None,
    cookie_header: Annotated[str | None, Header(alias="cookie", include_in_schema=False)] = None,
) -> str:
    if body is None and cookies.count_cookies(cookie_header, cookies.REFRESH_COOKIE) > 1:
        # Refused rather than picking one: a sibling subdomain may have planted the other.
        raise DuplicateRefreshCookie()
    token = delivery.refresh_token(body.refresh_token if body else None, refresh_cookie)
    if token is None:
        # Neither a body nor a cookie: the answer a client without cookie mode always got.
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    return token


PresentedRefreshToken = Annotated[str, Depends(get_refresh_token)]
