"""The one map from error categories to HTTP answers, and the handlers that apply it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ..core import metrics
from ..core.errors import (
    BadRequest,
    Conflict,
    DependencyUnavailable,
    DomainError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    TokenRefused,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    Unprocessable,
    UnsupportedType,
)
from .schemas import ErrorResponse

logger = logging.getLogger("mdcreator.http")

# The only place that decides which status code an error gets; the first category in an
# error's MRO that is here wins.
STATUS_OF: dict[type[DomainError], int] = {
    BadRequest: status.HTTP_400_BAD_REQUEST,
    Unauthenticated: status.HTTP_401_UNAUTHORIZED,
    Forbidden: status.HTTP_403_FORBIDDEN,
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    PreconditionFailed: status.HTTP_412_PRECONDITION_FAILED,
    TooLarge: status.HTTP_413_CONTENT_TOO_LARGE,
    UnsupportedType: status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    Unprocessable: status.HTTP_422_UNPROCESSABLE_CONTENT,
    PreconditionRequired: status.HTTP_428_PRECONDITION_REQUIRED,
    TooManyAttempts: status.HTTP_429_TOO_MANY_REQUESTS,
    DependencyUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _headers_for(exc: DomainError) -> dict[str, str] | None:
    if isinstance(exc, TokenRefused):
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
    404: "Not found, or not visible to the caller",
    409: "Conflict",
    412: "The If-Match version is not the current one; the answer names the current version",
    413: "Request body too large, or a declared upload above MAX_UPLOAD_SIZE_MB",
    415: "Request body is not JSON, or a declared file type that is not accepted",
    422: "Validation error, or an uploaded file or document change that is not acceptable",
    428: "If-Match required",
    429: "Too many attempts; Retry-After says when to try again",
    503: "A dependency (Postgres or Redis) is unavailable",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give."""
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}


def status_of(exc: DomainError) -> int | None:
    for kind in type(exc).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return None


async def answer_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    code = status_of(exc)
    if code is None:
        return await answer_unexpected_error(request, exc)
    if code == status.HTTP_503_SERVICE_UNAVAILABLE:
        metrics.count("DependencyUnavailable")
    if code >= 500:
        logger.warning("dependency unavailable: %s", exc)
    return JSONResponse(exc.body(), status_code=code, headers=_headers_for(exc))


async def answer_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Never echo the input back: it may be a password, or a megabyte of junk.
    errors = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def answer_unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return JSONResponse({"detail": "Internal server error"}, status_code=500)
