"""A minimal keep-alive HTTP/1.1 client for the RIE's invoke endpoint.

http.client costs ~1 ms a request here (two sends, email-based header parsing); this is the
hot path of every request, and the peer is always the same Go server.
"""

from __future__ import annotations

import socket

INVOKE_PATH = "/2015-03-31/functions/function/invocations"


class WireError(OSError):
    """The RIE closed the connection or answered something that is not HTTP."""


class InvokeConnection:
    """One persistent connection to one RIE; not thread-safe (one invocation at a time)."""

    def __init__(self, port: int, timeout: float) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rb")
        self._head = (
            f"POST {INVOKE_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode()

    def post(self, body: bytes) -> tuple[int, bytes]:
        """Send one invocation, return (status, body)."""
        self._sock.sendall(b"%s%d\r\n\r\n%s" % (self._head, len(body), body))
        status = self._status()
        headers = self._headers()
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            return status, self._chunked()
        return status, self._exactly(int(headers.get(b"content-length", b"0")))

    def abort(self) -> None:
        """Wake a thread blocked in post() (closing the reader would wait for it instead)."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        self._file.close()
        self._sock.close()

    def _line(self) -> bytes:
        line = self._file.readline(65537)
        if not line.endswith(b"\n"):
            raise WireError("connection closed by the RIE")
        return line

    def _status(self) -> int:
        parts = self._line().split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise WireError(f"not an HTTP status line: {parts!r}")
        return int(parts[1])

    def _headers(self) -> dict[bytes, bytes]:
        headers: dict[bytes, bytes] = {}
        while (line := self._line()) not in (b"\r\n", b"\n"):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return headers

    def _exactly(self, size: int) -> bytes:
        data = self._file.read(size)
        if len(data) != size:
            raise WireError("connection closed mid-body")
        return data

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        while size := int(self._line().split(b";", 1)[0], 16):
            chunks.append(self._exactly(size))
            self._line()
        while self._line() not in (b"\r\n", b"\n"):  # trailers
            pass
        return b"".join(chunks)
