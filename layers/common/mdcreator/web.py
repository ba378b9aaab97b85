"""The FastAPI app every function builds on, and the one map from domain errors to HTTP."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import get_settings
from .errors import (
    CookieModeRequired,
    DependencyUnavailable,
    DomainError,
    EmailAlreadyRegistered,
    EmailUnchanged,
    IncorrectPassword,
    InvalidCredentials,
    InvalidLinkToken,
    InvalidToken,
    OriginNotAllowed,
    TooManyAttempts,
)
from .guards import BodyGuard
from .logs import AccessLog, configure_logging
from .schemas import ErrorResponse
from .snapstart import register_hooks

API_TITLE = "MD Creator API"
API_VERSION = "1.0.0"

logger = logging.getLogger("mdcreator.web")

# The only place that decides which status code a domain error gets.
ERROR_ANSWERS: dict[type[DomainError], tuple[int, str]] = {
    EmailAlreadyRegistered: (status.HTTP_409_CONFLICT, "Email already registered"),
    EmailUnchanged: (status.HTTP_400_BAD_REQUEST, "The new email is the current one"),
    InvalidLinkToken: (status.HTTP_400_BAD_REQUEST, "Invalid or expired link"),
    InvalidCredentials: (status.HTTP_401_UNAUTHORIZED, "Incorrect email or password"),
    InvalidToken: (status.HTTP_401_UNAUTHORIZED, "Could not validate credentials"),
    IncorrectPassword: (status.HTTP_401_UNAUTHORIZED, "Incorrect password"),
    CookieModeRequired: (
        status.HTTP_403_FORBIDDEN,
        "Refreshing from the cookie needs the header X-Refresh-Token-Mode: cookie",
    ),
    OriginNotAllowed: (status.HTTP_403_FORBIDDEN, "Origin not allowed"),
    TooManyAttempts: (status.HTTP_429_TOO_MANY_REQUESTS, "Too many attempts, try again later"),
    DependencyUnavailable: (
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "Service temporarily unavailable",
    ),
}


def _headers_for(exc: DomainError) -> dict[str, str] | None:
    if isinstance(exc, InvalidToken):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, DependencyUnavailable):
        return {"Retry-After": "1"}
    return None


_DESCRIPTIONS = {
    400: "An invalid, used or expired link; or an email change to the current address",
    401: "Not authenticated",
    403: "Cookie mode refused: the refresh cookie without X-Refresh-Token-Mode, or cookie mode "
    "from an Origin that is not one of the SPA's",
    409: "Conflict",
    413: "Request body too large",
    415: "Request body is not JSON",
    422: "Validation error",
    429: "Too many attempts; Retry-After says when to try again",
    503: "A dependency (Postgres or Redis) is unavailable",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give."""
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}


class NoStore:
    """`Cache-Control: no-store` on every answer: each is about one user, many carry tokens
    (RFC 6749 §5.1), and no browser or proxy cache may keep them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_no_store)


def create_app(tokens: Literal["sign", "verify"] | None = None) -> FastAPI:
    """The app of one function; `tokens` says whether it mints tokens or only verifies them.

    Settings and keys are checked here, at init: a bad configuration stops the function
    before it serves anything.
    """
    settings = get_settings()
    register_hooks()
    if tokens is not None:
        # Imported here: functions without tokens (root, docs) never load the crypto backend.
        from .keys import check_keys

        check_keys(signs=tokens == "sign")
    configure_logging(settings.log_level)
    app = FastAPI(
        title=API_TITLE, version=API_VERSION, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(NoStore)
    app.add_middleware(AccessLog)
    app.add_exception_handler(DomainError, _answer_domain_error)
    app.add_exception_handler(RequestValidationError, _answer_validation_error)
    app.add_exception_handler(Exception, _answer_unexpected_error)
    return app


async def _answer_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    for kind in type(exc).__mro__:
        if kind in ERROR_ANSWERS:
            code, detail = ERROR_ANSWERS[kind]
            if code >= 500:
                logger.warning("dependency unavailable: %s", exc)
            return JSONResponse({"detail": detail}, status_code=code, headers=_headers_for(exc))
    return await _answer_unexpected_error(request, exc)


async def _answer_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Never echo the input back: it may be a password, or a megabyte of junk.
    errors = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _answer_unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return JSONResponse({"detail": "Internal server error"}, status_code=500)
