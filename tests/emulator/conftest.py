"""One emulator over the fixture template for the HTTP tests; helpers to inspect its processes."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.emulator import EmulatorProcess, running_emulator

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "template.yaml"
ENV_VARS = {
    "Parameters": {"OVERRIDDEN_BY_FILE_PARAMETERS": "file-parameters"},
    "EchoFunction": {"OVERRIDDEN_BY_FILE": "file-function"},
}


@pytest.fixture(scope="module")
def env_vars_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("emulator") / "env.json"
    path.write_text(json.dumps(ENV_VARS))
    return path


@pytest.fixture(scope="module")
def emulator(env_vars_file: Path) -> Iterator[EmulatorProcess]:
    with running_emulator(
        template=TEMPLATE,
        env_vars=env_vars_file,
        parameter_overrides=["Greeting=from-override"],
    ) as process:
        yield process


@pytest.fixture(scope="module")
def api(emulator: EmulatorProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, timeout=20) as client:
        yield client


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def listening_ports(pids: set[int]) -> set[int]:
    """TCP ports on which any of `pids` listens (from /proc: no ss or lsof needed)."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return {port for port, inode in _listening_sockets() if inode in inodes}


def still_listened_on(ports: set[int]) -> set[int]:
    """Which of `ports` any process still listens on (connections closing on them do not
    count: they hold no port a new server would want)."""
    return {port for port, _ in _listening_sockets() if port in ports}


def _listening_sockets() -> list[tuple[int, str]]:
    """(port, socket inode) of every TCP socket in LISTEN state, IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                found.append((int(fields[1].rsplit(":", 1)[1], 16), fields[9]))
    return found


def runtime_pids(pid: int) -> set[int]:
    """The awslambdaric runtimes (the RIEs' children) below `pid`."""
    found = set()
    for child in descendants(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        # The RIE's own command line holds the runtime's bootstrap: tell them apart by program.
        if b"awslambdaric" in command and b"aws-lambda-rie" not in command.split(b"\0")[0]:
            found.add(child)
    return found


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll: what the emulator writes (log lines, exits) follows the answer, not with it."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
