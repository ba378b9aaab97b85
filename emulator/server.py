"""The HTTP API: SAM's LocalApigwService (routes, CORS, payload 2.0) on a threaded WSGI server."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from emulator.errors import InvokeFailure

if TYPE_CHECKING:
    from flask import Response
    from samcli.lib.providers.provider import Api
    from werkzeug.serving import BaseWSGIServer

    from emulator.runner import Runner

LOG = logging.getLogger(__name__)
ACCESS_LOG = logging.getLogger("emulator.access")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def listen(host: str, port: int) -> socket.socket:
    """Bind before the slow imports: a port in use fails at once; early clients wait queued."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def failure_response(failure: InvokeFailure) -> Response:
    """The body HTTP APIs answer with when the integration fails."""
    from flask import Response

    LOG.error("%s", failure)
    return Response(
        json.dumps({"message": failure.message}), failure.status, mimetype="application/json"
    )


def access_log(app: WSGIApp) -> WSGIApp:
    """One line per request: method, path, status, milliseconds."""

    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = ["-"]

        def capture(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info)

        result = app(environ, capture)
        elapsed = (time.perf_counter() - started) * 1000
        ACCESS_LOG.info(
            "%s %s %s %.1fms", environ["REQUEST_METHOD"], environ["PATH_INFO"], status[0], elapsed
        )
        return result

    return logged


def _no_telemetry(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for EventTracker.track_event."""


def build_app(api: Api, runner: Runner, host: str, port: int) -> WSGIApp:
    """SAM's Flask app for the API, with our failure responses and access log."""
    from samcli.lib.telemetry.event import EventTracker
    from samcli.local.apigw.local_apigw_service import LocalApigwService

    # Telemetry is off (see __main__); its per-request bookkeeping costs ~0.3 ms for nothing.
    EventTracker.track_event = staticmethod(_no_telemetry)  # type: ignore[method-assign]
    service = LocalApigwService(api=api, lambda_runner=runner, port=port, host=host)
    service.create()
    flask_app = service._app
    flask_app.register_error_handler(InvokeFailure, failure_response)
    return access_log(flask_app.wsgi_app)


def make_server(sock: socket.socket, app: WSGIApp) -> BaseWSGIServer:
    """werkzeug's threaded server (what Flask's dev server is) on the already bound socket."""
    from werkzeug.serving import WSGIRequestHandler
    from werkzeug.serving import make_server as werkzeug_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Our access_log writes the request line."""

    host, port = sock.getsockname()[:2]
    server = werkzeug_server(
        host, port, app, threaded=True, request_handler=QuietHandler, fd=sock.fileno()
    )
    # Shutdown must not wait for in-flight requests: their environments are being killed.
    server.block_on_close = False  # type: ignore[attr-defined]
    return server
