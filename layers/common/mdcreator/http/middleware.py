"""ASGI middleware of every function: the body guard, no-store, the access log and metrics."""

from __future__ import annotations

import codecs
import logging
import os
import time

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core import logs, metrics
from ..core.context import set_client

TOO_LARGE = "Request body too large"
NOT_JSON = "Request body must be JSON (Content-Type: application/json)"
# JSON exchanged between systems is UTF-8 (RFC 8259 section 8.1); other bytes are broken JSON.
NOT_UTF8 = [{"loc": ["body"], "msg": "JSON decode error: not UTF-8", "type": "json_invalid"}]


def _is_json(content_type: bytes) -> bool:
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type == b"application/json" or media_type.endswith(b"+json")


class BodyGuard:
    """A non-empty body must be JSON (else 415), UTF-8 (else 422) and at most max_bytes (413)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        size = self._declared_size(headers.get(b"content-length", b""))
        if size > self.max_bytes:
            await JSONResponse({"detail": TOO_LARGE}, status_code=413)(scope, receive, send)
            return
        if size and not _is_json(headers.get(b"content-type", b"")):
            await JSONResponse({"detail": NOT_JSON}, status_code=415)(scope, receive, send)
            return
        await self.app(scope, self._limited(receive), send)

    def _declared_size(self, declared: bytes) -> int:
        """The Content-Length as a number; one with more digits than max_bytes is too large
        whatever it says (and int() refuses strings past 4300 digits)."""
        if not declared.isdigit():
            return 0
        if len(declared) > len(str(self.max_bytes)):
            return self.max_bytes + 1
        return int(declared)

    def _limited(self, receive: Receive) -> Receive:
        """Count what actually arrives (a Content-Length can lie or be missing); check UTF-8."""
        received = 0
        utf8 = codecs.getincrementaldecoder("utf-8")()

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, TOO_LARGE)
            try:
                utf8.decode(chunk, final=not message.get("more_body", False))
            except UnicodeDecodeError:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, NOT_UTF8) from None
            return message

        return limited_receive


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


class RequestContext:
    """Records the client of the request (core.context): its address as Mangum takes it from
    the gateway's sourceIp, and its User-Agent header (NUL and undecodable bytes dropped)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            agent = dict(scope["headers"]).get(b"user-agent")
            text = agent.decode("utf-8", "ignore").replace("\x00", "") if agent else None
            set_client(client[0] if client else None, text or None)
        await self.app(scope, receive, send)


access_logger = logging.getLogger("mdcreator")


class AccessLog:
    """One line per request (route, status, duration, cold start) and its metrics' EMF line.

    Everything logged while the request runs carries its ids: `request_id` is API Gateway's
    requestId (the one its access log has), `lambda_request_id` the invocation's. The metrics
    are written once, however the request ends, and only when something was counted.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
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

        ids = _request_ids(scope)
        with (
            logs.request_context(service=self.service, **ids),
            metrics.collected(self.service, **ids),
        ):
            try:
                await self.app(scope, receive, send_and_note)
            finally:
                self._log(scope, status, time.perf_counter() - started)

    def _log(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        fields = {
            "cold_start": self.cold,
            "method": scope["method"],
            "route": getattr(route, "path", scope["path"]),
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        self.cold = False
        access_logger.info("request", extra={"fields": fields})


def _request_ids(scope: Scope) -> dict[str, str | None]:
    event = scope.get("aws.event") or {}
    request_context = event.get("requestContext") or {}
    return {
        "request_id": request_context.get("requestId"),
        "lambda_request_id": getattr(scope.get("aws.context"), "aws_request_id", None),
        # Set by the runtime per invocation when X-Ray tracing is on.
        "trace_id": os.environ.get("_X_AMZN_TRACE_ID"),
    }
