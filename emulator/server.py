"""A small HTTP/1.1 server for the gateway: keep-alive, one thread per connection.

Only what clients of an HTTP API send is understood: origin-form targets, Content-Length or
chunked bodies, `Expect: 100-continue`. Anything else gets a 4xx and the connection is closed.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus

from emulator.gateway import Request, Response, message

LOG = logging.getLogger(__name__)
ACCESS_LOG = logging.getLogger("emulator.access")

# What an HTTP API accepts as a payload.
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_HEAD_BYTES = 64 * 1024
# A body this much larger than allowed is not read to the end: the connection is dropped.
_MAX_DRAIN_BYTES = 8 * MAX_BODY_BYTES
_IDLE_TIMEOUT_S = 60.0
_ACCEPT_WAKE_S = 0.2
_READ_TIMEOUT_S = 30.0
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_NO_BODY_STATUSES = frozenset({204, 304})
# Framing is the server's: these headers from a function's answer are replaced, not passed on.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

Handler = Callable[[Request], Response]


class BadRequest(Exception):
    """The bytes on the connection are not a request we can answer: reply, then close."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class _Closed(Exception):
    """The peer closed the connection, or it idled out, between requests."""


def listen(host: str, port: int) -> socket.socket:
    """Bind before the slow imports: a port in use fails at once; early clients wait queued."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def serve_forever(sock: socket.socket, handle: Handler) -> None:
    """Accept connections until the calling (main) thread is interrupted (SIGINT/SIGTERM).

    A signal may be delivered to any thread: Python then runs its handler in the main thread
    only when that thread next runs bytecode, so accept() wakes up now and then.
    """
    port = sock.getsockname()[1]
    sock.settimeout(_ACCEPT_WAKE_S)
    while True:
        try:
            conn, address = sock.accept()
        except TimeoutError:
            continue
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = _Connection(conn, address[0], port, handle)
        threading.Thread(target=connection.run, name="http", daemon=True).start()


class _Connection:
    """Requests one after another on one client connection."""

    def __init__(self, sock: socket.socket, peer: str, port: int, handle: Handler) -> None:
        self._sock = sock
        self._peer = peer.removeprefix("::ffff:")
        self._port = port
        self._handle = handle
        self._buffer = b""

    def run(self) -> None:
        try:
            while self._serve_next():
                pass
        except BadRequest as bad:
            self._last_words(bad.response)
        except (_Closed, OSError):
            pass
        except Exception:
            LOG.exception("unexpected error while serving %s", self._peer)
            self._last_words(message(500, "Internal Server Error"))
        finally:
            self._sock.close()

    def _last_words(self, response: Response) -> None:
        """An answer before closing; the client may be gone already."""
        try:
            self._send(response, keep_alive=False, head=False)
        except OSError:
            pass

    def _serve_next(self) -> bool:
        try:
            return self._serve_one()
        except _Answered:
            return True

    def _serve_one(self) -> bool:
        """Read, answer and log one request; False when the connection is to be closed."""
        head = self._read_head()
        started = time.perf_counter()
        method, target, version, headers = _parse_head(head)
        keep_alive = _keeps_alive(version, headers)
        body = self._read_body(headers)
        request = Request(method, target, headers, body, self._peer, self._port)
        response = self._handle(request)
        self._send(response, keep_alive, head=method == "HEAD")
        elapsed = (time.perf_counter() - started) * 1000
        path = target.split("?", 1)[0]
        ACCESS_LOG.info("%s %s %d %.1fms", method, path, response.status, elapsed)
        return keep_alive

    def _read_head(self) -> bytes:
        self._sock.settimeout(_IDLE_TIMEOUT_S)
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise BadRequest(message(431, "Request Header Fields Too Large"))
            chunk = self._recv(first=not self._buffer)
            self._sock.settimeout(_READ_TIMEOUT_S)
            self._buffer += chunk
        head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
        return head

    def _recv(self, first: bool = False) -> bytes:
        try:
            chunk = self._sock.recv(1 << 20)
        except TimeoutError:
            raise _Closed() from None
        if not chunk:
            if first:
                raise _Closed()
            raise BadRequest(message(400, "Bad Request"))
        return chunk

    def _read_exactly(self, size: int) -> bytes:
        parts, have = [self._buffer], len(self._buffer)
        while have < size:
            parts.append(chunk := self._recv())
            have += len(chunk)
        data = b"".join(parts) if len(parts) > 1 else self._buffer
        self._buffer = data[size:]
        return data[:size]

    def _read_line(self) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise BadRequest(message(400, "Bad Request"))
            self._buffer += self._recv()
        line, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
        return line

    def _read_body(self, headers: list[tuple[str, str]]) -> bytes:
        encoding = _single(headers, "transfer-encoding")
        length = _single(headers, "content-length")
        if encoding is not None:
            if encoding.strip().lower() != "chunked" or length is not None:
                raise BadRequest(message(400, "Bad Request"))
            self._continue(headers)
            return self._read_chunked()
        if length is None:
            return b""
        if not length.isdigit():
            raise BadRequest(message(400, "Bad Request"))
        size = int(length)
        if size > MAX_BODY_BYTES:
            self._refuse_large(headers, size)
        self._continue(headers)
        return self._read_exactly(size)

    def _continue(self, headers: list[tuple[str, str]]) -> None:
        if (_single(headers, "expect") or "").lower() == "100-continue":
            self._sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _refuse_large(self, headers: list[tuple[str, str]], size: int) -> None:
        """413; the body is read and dropped when a client sends it anyway (so it sees the 413)."""
        too_large = message(413, "Request Entity Too Large")
        expects = (_single(headers, "expect") or "").lower() == "100-continue"
        if expects or size > _MAX_DRAIN_BYTES:
            raise BadRequest(too_large)
        while size:
            if not self._buffer:
                self._buffer = self._recv()
            taken = min(size, len(self._buffer))
            self._buffer = self._buffer[taken:]
            size -= taken
        self._send(too_large, keep_alive=True, head=False)
        raise _Answered()

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_text = self._read_line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadRequest(message(400, "Bad Request")) from None
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequest(message(413, "Request Entity Too Large"))
            chunks.append(self._read_exactly(size))
            if self._read_line():
                raise BadRequest(message(400, "Bad Request"))
        while self._read_line():  # trailers
            pass
        return b"".join(chunks)

    def _send(self, response: Response, keep_alive: bool, head: bool) -> None:
        body = b"" if response.status in _NO_BODY_STATUSES else response.body
        lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, '')}"]
        lines += [
            f"{name}: {value}"
            for name, value in response.headers
            if name.lower() not in _FRAMING_HEADERS
        ]
        lines.append(f"Date: {formatdate(usegmt=True)}")
        if response.status not in _NO_BODY_STATUSES:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
        out = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self._sock.sendall(out if head else out + body)


class _Answered(Exception):
    """The request was answered while it was read (413 after draining): go on with the next."""


def _parse_head(head: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[0].isupper():
        raise BadRequest(message(400, "Bad Request"))
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise BadRequest(message(505, "HTTP Version Not Supported"))
    if target.startswith(("http://", "https://")):
        target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
    if not target.startswith("/"):
        raise BadRequest(message(400, "Bad Request"))
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or " " in name:
            raise BadRequest(message(400, "Bad Request"))
        headers.append((name, value.strip()))
    return method, target, version, headers


def _keeps_alive(version: str, headers: list[tuple[str, str]]) -> bool:
    tokens = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    if version == "HTTP/1.0":
        return "keep-alive" in tokens
    return "close" not in tokens


def _single(headers: list[tuple[str, str]], name: str) -> str | None:
    """The value of a header that may appear once (repeats with different values: 400)."""
    values = {value for key, value in headers if key.lower() == name}
    if len(values) > 1:
        raise BadRequest(message(400, "Bad Request"))
    return values.pop() if values else None
