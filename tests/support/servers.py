"""Private Postgres and Redis servers a test can stop and start: never the machine's own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tools import pgserver
from tools.ports import free_port


def _wait(check: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise TimeoutError("server did not come up")


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class PostgresServer(pgserver.PostgresServer):
    """A trust-auth private server, initialised; the test skips where Postgres is not installed."""

    def __init__(self) -> None:
        try:
            super().__init__()
        except pgserver.ServerBinariesMissing as exc:
            pytest.skip(str(exc))
        self.init()


class RedisServer:
    """A private redis-server; with `cluster=True` a one-node Redis Cluster owning every slot,
    which refuses any command or script whose keys span hash slots (CROSSSLOT), as a
    sharded cluster or ElastiCache Serverless would."""

    def __init__(self, *, cluster: bool = False) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.cluster = cluster
        self._dir = Path(tempfile.mkdtemp(prefix="mdc-redis-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--dir", str(self._dir)]  # fmt: skip
        if self.cluster:
            # The bus port defaults to port + 10000, past 65535 for a port from the top of
            # the ephemeral range: a free port of its own instead.
            command += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-port", str(free_port())]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait(lambda: _port_open(self.port))
        if self.cluster:
            self._own_every_slot()

    def _own_every_slot(self) -> None:
        from redis import Redis

        with Redis(port=self.port) as client:
            client.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
            _wait(lambda: b"cluster_state:ok" in client.execute_command("CLUSTER", "INFO"))

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)
