"""What an API Gateway HTTP API does around a Lambda integration, without sockets.

Routes and CORS come from the template (read by SAM CLI's providers, see template.py); this
module matches a request to a route, answers CORS preflights, builds the payload format 2.0
event and maps the function's answer to an HTTP response. Where SAM CLI's local gateway differs
from a deployed HTTP API, this follows the HTTP API (each such place says so).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from emulator.errors import InvokeFailure

LOG = logging.getLogger("emulator")
ANY = "ANY"
DEFAULT_ROUTE = "$default"
# Bodies of these media types reach the function as text when they are UTF-8; every other body
# (and a missing Content-Type) arrives base64-encoded with isBase64Encoded: true.
TEXT_MEDIA_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_UNSAFE_IN_VALUE = re.compile(r"[\r\n\x00]")


@dataclass(frozen=True)
class Request:
    """One HTTP request as the server read it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    server_port: int


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


@dataclass(frozen=True)
class Route:
    """`METHOD /path/{param}/{greedy+}` (or `$default`) and the function behind it."""

    method: str
    path: str
    function: str
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(_split(self.path)))

    @property
    def key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"

    @property
    def literal(self) -> bool:
        return not any(segment.startswith("{") for segment in self.segments)

    @property
    def greedy(self) -> bool:
        return bool(self.segments) and self.segments[-1].endswith("+}")

    def rank(self) -> tuple[bool, tuple[bool, ...], bool]:
        """Lower sorts first: greedy routes last, literal segments before variables, ANY last."""
        return (self.greedy, tuple(s.startswith("{") for s in self.segments), self.method == ANY)

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """Path parameters (percent-decoded) when `segments` fit this route, else None."""
        if self.greedy:
            fixed = self.segments[:-1]
            if len(segments) <= len(fixed):
                return None
        elif len(segments) != len(self.segments):
            return None
        else:
            fixed = self.segments
        params: dict[str, str] = {}
        for pattern, value in zip(fixed, segments, strict=False):
            if pattern.startswith("{"):
                if not value:
                    return None
                params[pattern[1:-1]] = unquote(value)
            elif pattern != unquote(value):
                return None
        if self.greedy:
            params[self.segments[-1][1:-2]] = unquote("/".join(segments[len(fixed) :]))
        return params


@dataclass(frozen=True)
class Cors:
    """The HTTP API's CorsConfiguration."""

    allow_origins: tuple[str, ...]
    allow_methods: str | None = None
    allow_headers: str | None = None
    allow_credentials: bool = False
    max_age: int | None = None

    def allowed_origin(self, origin: str | None) -> str | None:
        if not origin:
            return None
        if "*" in self.allow_origins:
            return "*"
        return origin if origin in self.allow_origins else None

    def preflight_headers(self, origin: str) -> list[tuple[str, str]]:
        headers = [("Access-Control-Allow-Origin", origin)]
        if self.allow_methods:
            headers.append(("Access-Control-Allow-Methods", self.allow_methods))
        if self.allow_headers:
            headers.append(("Access-Control-Allow-Headers", self.allow_headers))
        if self.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", str(self.max_age)))
        return headers

    def response_headers(self, origin: str) -> list[tuple[str, str]]:
        """On actual (not preflight) responses only these apply (Fetch standard, CORS)."""
        headers = [("Access-Control-Allow-Origin", origin)]
        if self.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return headers


Invoke = Callable[[str, bytes], bytes]


class HttpApi:
    """One HTTP API: routes, CORS, and the function invoker behind them."""

    def __init__(self, routes: Iterable[Route], cors: Cors | None, invoke: Invoke) -> None:
        self.routes = sorted(routes, key=Route.rank)
        self.cors = cors
        self._invoke = invoke
        self._literal = {(r.method, r.segments): r for r in self.routes if r.literal}
        self._default = next((r for r in self.routes if r.path == DEFAULT_ROUTE), None)

    def handle(self, request: Request) -> Response:
        request_id = _request_id()
        origin = _header(request.headers, "origin")
        if request.method == "OPTIONS" and self.cors is not None:
            # With a CORS configuration the gateway answers every OPTIONS request itself.
            response = self._preflight(origin)
        else:
            response = self._route(request, request_id)
            self._apply_cors(response, origin)
        response.headers.append(("Apigw-Requestid", request_id))
        return response

    def find(self, method: str, segments: list[str]) -> tuple[Route, dict[str, str]] | None:
        """The best route for the request (exact, then variables, then greedy, then $default)."""
        for candidate in (method, ANY):
            route = self._literal.get((candidate, tuple(unquote(s) for s in segments)))
            if route is not None:
                return route, {}
        for route in self.routes:
            if route.method in (method, ANY) and not route.literal:
                params = route.match(segments)
                if params is not None:
                    return route, params
        return (self._default, {}) if self._default is not None else None

    def _preflight(self, origin: str | None) -> Response:
        assert self.cors is not None
        allowed = self.cors.allowed_origin(origin)
        headers = self.cors.preflight_headers(allowed) if allowed else []
        return Response(204, headers)

    def _apply_cors(self, response: Response, origin: str | None) -> None:
        if self.cors is None:
            return
        # A configured CORS replaces whatever CORS headers the function sent.
        response.headers = [
            (name, value)
            for name, value in response.headers
            if not name.lower().startswith("access-control-")
        ]
        allowed = self.cors.allowed_origin(origin)
        if allowed:
            response.headers += self.cors.response_headers(allowed)

    def _route(self, request: Request, request_id: str) -> Response:
        raw_path, _, raw_query = request.target.partition("?")
        found = self.find(request.method, _split(raw_path))
        if found is None:
            return message(404, "Not Found")
        route, params = found
        event = build_event(request, route, params, raw_path, raw_query, request_id)
        try:
            output = self._invoke(route.function, json.dumps(event).encode())
        except InvokeFailure as failure:
            LOG.error("%s", failure)
            return message(failure.status, failure.message)
        try:
            return map_response(output)
        except ValueError as exc:
            LOG.error("%s: invalid Lambda response: %s", route.function, exc)
            return message(500, "Internal Server Error")


def message(status: int, text: str) -> Response:
    """The gateway's own answers: `{"message": ...}` as JSON."""
    body = json.dumps({"message": text}, separators=(",", ":")).encode()
    return Response(status, [("Content-Type", "application/json")], body)


def build_event(
    request: Request,
    route: Route,
    params: dict[str, str],
    raw_path: str,
    raw_query: str,
    request_id: str,
) -> dict[str, Any]:
    """The payload format 2.0 event for `request` on `route`."""
    headers, cookies = _event_headers(request)
    path = _decoded_path(raw_path)
    now = time.time()
    host = headers.get("host", "localhost").rsplit(":", 1)[0] or "localhost"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "1234567890",
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query = _query_parameters(raw_query)
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    if request.body:
        event["body"], event["isBase64Encoded"] = _event_body(request.body, headers)
    return event


def _event_headers(request: Request) -> tuple[dict[str, str], list[str]]:
    """Header names in lower case, repeated headers joined by commas; cookies on their own."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies += [part.strip() for part in value.split(";") if part.strip()]
        elif lower in headers:
            headers[lower] += "," + value
        else:
            headers[lower] = value
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = (
        f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    )
    headers["x-forwarded-port"] = str(request.server_port)
    headers["x-forwarded-proto"] = "http"
    headers["x-amzn-trace-id"] = f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    return headers, cookies


def _event_body(body: bytes, headers: dict[str, str]) -> tuple[str, bool]:
    """The body as text when its media type is a text one and it is UTF-8, else base64."""
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type.startswith("text/") or media_type in TEXT_MEDIA_TYPES:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def _query_parameters(raw_query: str) -> dict[str, str]:
    """Decoded query parameters; a repeated name's values joined by commas."""
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    return query


def _decoded_path(raw_path: str) -> str:
    """The path percent-decoded, except that an escaped `%` (`%25`) stays escaped."""
    return "%25".join(unquote(part) for part in raw_path.split("%25"))


def _split(path: str) -> list[str]:
    """Path segments; a trailing slash is ignored, as SAM's local gateway ignores it."""
    if path == DEFAULT_ROUTE:
        return []
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _request_id() -> str:
    return str(uuid.UUID(bytes=os.urandom(16), version=4))


def map_response(output: bytes) -> Response:
    """The function's answer (payload format 2.0) as an HTTP response; ValueError if malformed."""
    try:
        result = json.loads(output)
    except ValueError as exc:
        raise ValueError("not JSON") from exc
    if not isinstance(result, dict) or "statusCode" not in result:
        # Valid JSON without a statusCode is the body of a 200 application/json answer.
        text = result if isinstance(result, str) else json.dumps(result)
        return Response(200, [("Content-Type", "application/json")], text.encode())
    status = _status(result["statusCode"])
    headers = _response_headers(result.get("headers"))
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list):
        raise ValueError("cookies is not a list")
    headers += [("Set-Cookie", _header_value(cookie)) for cookie in cookies]
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return Response(status, headers, _response_body(result))


def _status(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"statusCode {value!r} is not an integer")
    try:
        status = int(value)
    except ValueError:
        raise ValueError(f"statusCode {value!r} is not an integer") from None
    if not 200 <= status <= 599:
        raise ValueError(f"statusCode {status} out of range")
    return status


def _response_headers(headers: object) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, dict):
        raise ValueError("headers is not an object")
    result = []
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"invalid header name {name!r}")
        result.append((name, _header_value(value)))
    return result


def _header_value(value: object) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if _UNSAFE_IN_VALUE.search(text):
        raise ValueError("a header value holds a line break or NUL")
    return text


def _response_body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    text = body if isinstance(body, str) else json.dumps(body)
    if result.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error as exc:
            raise ValueError("body is not base64") from exc
    return text.encode()
