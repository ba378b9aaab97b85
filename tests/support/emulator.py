"""The emulator as a subprocess: the tests' names for tools.emulator and tools.ports, the
fixture template of tests/emulator, and what /proc shows of the emulator's processes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.paths import ROOT
from tools.emulator import (
    READY_PATH,
    REPO_ROOT,
    SAM_PYTHON,
    EmulatorProcess,
    emulator_command,
    running_emulator,
    start_api,
    start_api_args,
)
from tools.ports import free_port

__all__ = [
    "FIXTURES",
    "READY_PATH",
    "REPO_ROOT",
    "SAM_PYTHON",
    "TEMPLATE",
    "EmulatorProcess",
    "alive",
    "descendants",
    "emulator_command",
    "free_port",
    "listening_ports",
    "running_emulator",
    "runtime_pids",
    "start_api",
    "start_api_args",
    "still_listened_on",
    "wait_until",
]

# Functions of every failure kind, and a layer, for the emulator's own tests.
FIXTURES = ROOT / "tests" / "emulator" / "fixtures"
TEMPLATE = FIXTURES / "template.yaml"


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
