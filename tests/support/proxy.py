"""A TCP proxy a test can freeze: connections stay open, nothing is relayed either way.

That is what a failover or a frozen host looks like to a client: no RST, no FIN, packets go
nowhere. A stopped server (connection refused) is the easy case; this is the other one.
"""

from __future__ import annotations

import selectors
import socket
import threading

from tests.support.emulator import free_port


class FreezableProxy:
    """Relays 127.0.0.1:port to a backend; `freeze()` stops relaying, `thaw()` resumes."""

    def __init__(self, backend_port: int) -> None:
        self.backend_port = backend_port
        self.port = free_port()
        self._relaying = threading.Event()
        self._relaying.set()
        self._stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def freeze(self) -> None:
        """Keep every connection open and accept new ones, but pass no byte on."""
        self._relaying.clear()

    def thaw(self) -> None:
        self._relaying.set()

    def drop_connections(self) -> None:
        """Close every relayed connection (a frozen host that finally times out)."""
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def close(self) -> None:
        self._stopped.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        _close(self._listener)
        self.drop_connections()
        self._thread.join(timeout=5)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        # A frozen proxy still accepts: the client's connect succeeds, then nothing answers.
        self._relaying.wait()
        try:
            backend = socket.create_connection(("127.0.0.1", self.backend_port), timeout=5)
        except OSError:
            _close(client)
            return
        with self._lock:
            self._sockets |= {client, backend}
        peers = {client: backend, backend: client}
        selector = selectors.DefaultSelector()
        for sock in peers:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        try:
            while not self._stopped.is_set():
                if not self._relaying.is_set():
                    self._relaying.wait(0.05)
                    continue
                for key, _ in selector.select(timeout=0.05):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    if not self._relaying.is_set():
                        break  # frozen between select and read: leave the bytes unread
                    try:
                        data = source.recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError:
                        return
                    if not data:
                        return
                    peers[source].setblocking(True)
                    peers[source].sendall(data)
                    peers[source].setblocking(False)
        finally:
            selector.close()
            for sock in peers:
                _close(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
