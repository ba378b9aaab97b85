"""Structured JSON logs: one line per request, never a header, body or token."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("mdcreator")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    """Idempotent: every function calls it through create_app()."""
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)
    logging.getLogger("mangum").setLevel(logging.WARNING)  # our access line replaces its own


class AccessLog:
    """Logs route, status and duration of every request, and whether it was a cold start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cold = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self._log(scope, status, time.perf_counter() - started)

    def _log(self, scope: Scope, status: int, seconds: float) -> None:
        context = scope.get("aws.context")
        route = scope.get("route")
        fields = {
            "request_id": getattr(context, "aws_request_id", None),
            "cold_start": self.cold,
            "method": scope["method"],
            "route": getattr(route, "path", scope["path"]),
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        self.cold = False
        logger.info("request", extra={"fields": fields})
