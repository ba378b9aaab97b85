"""The FastAPI app every function builds on."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from ..core.config import get_settings
from ..core.errors import DomainError
from ..core.logs import configure_logging
from ..core.snapstart import register_hooks
from .errors import answer_domain_error, answer_unexpected_error, answer_validation_error
from .middleware import AccessLog, BodyGuard, NoStore, RequestContext

API_TITLE = "MD Creator API"
API_VERSION = "1.0.0"


def create_app(
    service: str, *checks: Callable[[], None], max_body_bytes: int | None = None
) -> FastAPI:
    """The app of one function; `checks` run at init (e.g. auth.keys.signs_tokens).

    `service` is the function's folder name (functions/<service>/): the `service` field of
    its log lines and the dimension of its metrics, which the template's alarms name.
    `max_body_bytes` raises the body limit (MAX_BODY_BYTES) for a function that takes
    larger bodies, such as whole documents.

    Settings and the checks fail here, at init: a bad configuration stops the function
    before it serves anything.
    """
    settings = get_settings()
    register_hooks()
    for check in checks:
        check()
    configure_logging(settings.log_level)
    app = FastAPI(
        title=API_TITLE, version=API_VERSION, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.add_middleware(BodyGuard, max_bytes=max_body_bytes or settings.max_body_bytes)
    app.add_middleware(NoStore)
    app.add_middleware(AccessLog, service=service)
    app.add_middleware(RequestContext)
    app.state.service = service
    app.add_exception_handler(DomainError, answer_domain_error)
    app.add_exception_handler(RequestValidationError, answer_validation_error)
    app.add_exception_handler(Exception, answer_unexpected_error)
    return app
