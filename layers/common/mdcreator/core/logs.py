"""Structured JSON logs, one shape for every logger of the process; never a header, body or token.

Each line of a request carries what joins it to the others and to API Gateway's access log:
`request_id` (the gateway's requestId), `lambda_request_id`, `service`, and once the access
token is verified `user_id` and `session_id` (request_context/bind). Other libraries' loggers
(SQLAlchemy, botocore, the runtime's) reach the root logger and come out in the same shape.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("mdcreator")

# The facts of the request being served; a dict mutated in place, so facts bound in a copied
# context (a worker thread's) reach the request's later lines too.
_context: ContextVar[dict[str, str] | None] = ContextVar("log_context", default=None)


class JsonFormatter(logging.Formatter):
    def __init__(self, *, terminator: str = "") -> None:
        super().__init__()
        # The runtime's own handler writes what it is given as it is; a StreamHandler adds "\n".
        self.terminator = terminator

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"),
        }
        entry.update(_context.get() or {})
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str) + self.terminator


@contextmanager
def request_context(**facts: str | None) -> Iterator[dict[str, str]]:
    """Every line logged inside carries `facts` (None values left out) and what bind() adds."""
    context = {name: value for name, value in facts.items() if value is not None}
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)


def bind(**facts: str) -> None:
    """Add facts to every later line of the current request (none outside a request)."""
    context = _context.get()
    if context is not None:
        context.update(facts)


def _is_runtime_handler(handler: logging.Handler) -> bool:
    # Lambda's runtime (awslambdaric) puts its handler on the root logger before our code
    # runs; it writes to the platform's log stream, framed, with the record's level.
    return type(handler).__module__.startswith("awslambdaric")


def configure_logging(level: str) -> None:
    """Idempotent: every function calls it through create_app().

    The root logger gets the JSON formatter, on the runtime's handler where there is one
    (else on a stdout handler of ours): one handler, so no line is written twice.
    """
    root = logging.getLogger()
    runtime = [handler for handler in root.handlers if _is_runtime_handler(handler)]
    for handler in runtime:
        if not isinstance(handler.formatter, JsonFormatter):
            handler.setFormatter(JsonFormatter(terminator="\n"))
    if not runtime and not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    logger.setLevel(level)
    logging.getLogger("mangum").setLevel(logging.WARNING)  # our access line replaces its own
