"""Child processes that die with the emulator, even when it is killed with SIGKILL.

Linux's PR_SET_PDEATHSIG sends a signal to a child when the *thread* that forked it exits (not
the process): a request thread that ends would take its environments with it. So every
environment is forked by one spawner thread that lives as long as the emulator. The runtime
that the RIE forks sets the same signal for itself (logs.BOOTSTRAP), so killing the emulator
kills the RIEs, and each RIE's death kills its runtime.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_Request = tuple["Future[subprocess.Popen[bytes]]", list[str], dict[str, Any]]


def _die_with(parent: int) -> Callable[[], None]:
    def preexec() -> None:
        # Runs in the child between fork and exec: two system calls, nothing else.
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


class Spawner:
    """Runs `subprocess.Popen` on its own long-lived thread; children get PR_SET_PDEATHSIG."""

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="env-spawner", daemon=True)
        self._thread.start()

    def popen(self, command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        done: Future[subprocess.Popen[bytes]] = Future()
        self._requests.put((done, command, options))
        return done.result()

    def _run(self) -> None:
        preexec = _die_with(os.getpid())
        while True:
            done, command, options = self._requests.get()
            try:
                done.set_result(subprocess.Popen(command, preexec_fn=preexec, **options))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                done.set_exception(exc)


_spawner: Spawner | None = None
_spawner_lock = threading.Lock()


def spawner() -> Spawner:
    """The process-wide spawner, started on first use."""
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = Spawner()
        return _spawner
