"""Shutdown leaves no process and no port behind; source mode reloads only what changed."""

from __future__ import annotations

import ctypes
import os
import platform
import re
import shutil
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.support.emulator import (
    FIXTURES,
    TEMPLATE,
    EmulatorProcess,
    alive,
    descendants,
    free_port,
    listening_ports,
    running_emulator,
    runtime_pids,
    still_listened_on,
    wait_until,
)

# Functions of the fixture template that start (BrokenFunction's init fails by design).
STARTING_FUNCTIONS = ("EchoFunction", "SlowFunction", "CrashFunction", "ShapeFunction")
_SYS_TGKILL = {"x86_64": 234, "aarch64": 131}[platform.machine()]


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


def test_sigkill_leaves_no_environment_and_no_port_behind() -> None:
    process = EmulatorProcess(["--template", str(TEMPLATE)], free_port())
    try:
        process.wait_ready()
        with (
            httpx.Client(base_url=process.url, timeout=20) as client,
            ThreadPoolExecutor(3) as pool,
        ):
            list(pool.map(lambda _: client.get("/slow", params={"seconds": "0.5"}), range(3)))
            client.get("/echo")
            children = descendants(process.process.pid)
            runtimes = runtime_pids(process.process.pid)
            ports = listening_ports(children)
            assert len(runtimes) >= 4 and len(ports) >= 8  # RIE invoke + runtime API ports
            process.process.send_signal(signal.SIGKILL)
            process.process.wait(10)
    finally:
        if process.process.poll() is None:
            process.process.kill()
        process.stop()

    wait_until(lambda: not [pid for pid in children if alive(pid)], 5, "orphans left behind")
    wait_until(lambda: not still_listened_on(ports), 5, "ports still listened on")


def test_eager_warm_containers_start_every_function_before_the_first_request() -> None:
    with running_emulator("--warm-containers", "EAGER", template=TEMPLATE) as process:
        root = process.process.pid
        wait_until(
            lambda: all(f"INIT_REPORT {name} " in process.log() for name in STARTING_FUNCTIONS),
            30,
            "environments not warm",
        )
        warm = runtime_pids(root)
        assert len(warm) >= len(STARTING_FUNCTIONS)
        with httpx.Client(base_url=process.url, timeout=20) as client:
            answer = client.get("/echo")

        assert answer.json()["pid"] in warm
        wait_until(lambda: "REPORT RequestId" in process.log(), 10, "no REPORT line")
        log = process.log()
        request_report = [line for line in log.splitlines() if "REPORT RequestId" in line][-1]
        assert "Init Duration" not in request_report


def test_lazy_warm_containers_start_nothing_before_the_first_request() -> None:
    with running_emulator("--warm-containers", "LAZY", template=TEMPLATE) as process:
        time.sleep(1)
        assert runtime_pids(process.process.pid) == set()
        with httpx.Client(base_url=process.url, timeout=20) as client:
            assert client.get("/echo").status_code == 200
        # The REPORT line follows the answer through the log pump: wait for it, not for luck.
        wait_until(
            lambda: re.search(r"Init Duration: \d", process.log()), 10, "no cold-start REPORT"
        )


def _signal_thread(pid: int, tid: int, signum: int) -> None:
    """Send `signum` to one thread of `pid` (tgkill), as the kernel may pick any thread."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(_SYS_TGKILL, pid, tid, signum) != 0:
        raise OSError(ctypes.get_errno(), "tgkill")


def test_sigterm_that_lands_on_another_thread_still_stops_the_emulator() -> None:
    with running_emulator("--warm-containers", "EAGER", template=TEMPLATE) as process:
        pid = process.process.pid
        with httpx.Client(base_url=process.url, timeout=20) as client:
            assert client.get("/echo").status_code == 200
        others = [int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid]
        assert others
        stopping = time.monotonic()
        _signal_thread(pid, others[-1], signal.SIGTERM)
        process.process.wait(10)
        assert time.monotonic() - stopping < 3
