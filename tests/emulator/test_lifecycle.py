"""Shutdown leaves no process and no port behind; source mode reloads only what changed."""

from __future__ import annotations

import shutil
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.emulator.conftest import FIXTURES, alive, descendants
from tests.support.emulator import EmulatorProcess, free_port, running_emulator


def test_sigterm_ends_every_child_and_frees_the_port() -> None:
    process = EmulatorProcess(["--template", str(FIXTURES / "template.yaml")], free_port())
    try:
        process.wait_ready()
        with (
            httpx.Client(base_url=process.url, timeout=20) as client,
            ThreadPoolExecutor(3) as pool,
        ):
            list(pool.map(lambda _: client.get("/slow", params={"seconds": "0.5"}), range(3)))
            client.get("/echo")
            # One invocation still running when the signal comes.
            pool.submit(client.get, "/slow", params={"seconds": "5"})
            time.sleep(0.5)
            children = descendants(process.process.pid)
            assert len(children) >= 8  # 4+ environments, each an RIE and a runtime
            stopping = time.monotonic()
            assert process.stop() == 0
            assert time.monotonic() - stopping < 3  # not waiting for the running invocation
    finally:
        if process.process.poll() is None:
            process.stop()

    assert not [pid for pid in children if alive(pid)]
    with socket.socket() as probe:  # nothing listens any more...
        assert probe.connect_ex(("127.0.0.1", process.port)) != 0
    with socket.socket() as probe:  # ...and a new server can bind (TIME_WAIT aside, as any server)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", process.port))
        probe.listen()


def test_source_mode_reloads_only_the_changed_function(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES, project)
    app = project / "functions" / "echo" / "app.py"

    with (
        running_emulator(template=project / "template.yaml", from_source=True) as process,
        httpx.Client(base_url=process.url, timeout=20) as client,
    ):
        assert client.get("/echo").json()["version"] == "v1"
        slow_pid = client.get("/slow").json()["pid"]

        app.write_text(app.read_text().replace('VERSION = "v1"', 'VERSION = "v2"'))

        deadline = time.monotonic() + 10
        while client.get("/echo").json()["version"] != "v2":
            assert time.monotonic() < deadline, process.log()
            time.sleep(0.1)
        assert client.get("/slow").json()["pid"] == slow_pid


def test_idle_environments_are_reaped() -> None:
    with (
        running_emulator("--idle-timeout", "1", template=FIXTURES / "template.yaml") as process,
        httpx.Client(base_url=process.url, timeout=20) as client,
    ):
        first = client.get("/echo").json()["pid"]
        deadline = time.monotonic() + 5
        while alive(first):
            assert time.monotonic() < deadline, "idle environment not reaped"
            time.sleep(0.1)
        assert client.get("/echo").json()["pid"] != first
