"""An environment's output (RIE + runtime) copied to our stderr, with Lambda's Init Duration."""

from __future__ import annotations

import math
import os
import re
import sys
import threading
from typing import IO

# The RIE starts the runtime lazily, inside the first invoke: it reports ~0 ms of init and counts
# the init in Duration. The runtime's bootstrap (BOOTSTRAP) prints how long its init took, from
# process start to the handler imported; the REPORT line is rewritten with it.
INIT_MARKER = b"__emulator_init_ms__ "
# An invocation with exactly this event initialises the environment without calling the handler
# (what provisioned concurrency does on Lambda): `--warm-containers EAGER` sends it.
WARM_UP_EVENT = b'{"__emulator_warm_up__": true}'
BOOTSTRAP = f"""
import ctypes, os, signal, sys, time

# Die with the RIE (our parent, and leader of our session), even when it is SIGKILLed.
ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
if os.getppid() != os.getsid(0):
    os._exit(1)

import awslambdaric.bootstrap as bootstrap
from awslambdaric.__main__ import main

sys.path[0] = os.getcwd()  # as `python -m awslambdaric` has it
_get_handler = bootstrap._get_handler
_handle_event_request = bootstrap.handle_event_request


def _timed_get_handler(handler):
    result = _get_handler(handler)
    stat = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
    started = int(stat[19]) / os.sysconf("SC_CLK_TCK")
    elapsed = (time.clock_gettime(time.CLOCK_BOOTTIME) - started) * 1000
    sys.stdout.write("{INIT_MARKER.decode()}%.2f\\n" % elapsed)
    sys.stdout.flush()
    return result


def _warm_or_handle(client, request_handler, invoke_id, event_body, *rest):
    if event_body == {WARM_UP_EVENT!r}:
        client.post_invocation_result(invoke_id, b"null", "application/json", *rest[7:8])
        return
    _handle_event_request(client, request_handler, invoke_id, event_body, *rest)


bootstrap._get_handler = _timed_get_handler
bootstrap.handle_event_request = _warm_or_handle
main(sys.argv)
"""
_REPORT_TIMES = re.compile(
    rb"Init Duration: [0-9.]+ ms\tDuration: ([0-9.]+) ms\tBilled Duration: [0-9]+ ms"
)
_write_lock = threading.Lock()


def _write(line: bytes) -> None:
    with _write_lock:
        sys.stderr.buffer.write(line)
        sys.stderr.buffer.flush()


class LogPump:
    """Copies lines from `stream` until EOF (the environment ended) on a daemon thread."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self._stream = stream
        self._name = name
        self._init_ms: float | None = None
        self._warming = False
        self._thread = threading.Thread(target=self._run, name=f"logs-{name}", daemon=True)
        self._thread.start()

    def expect_warm_up(self) -> None:
        """The next invocation is the warm-up: its START/END/REPORT become one INIT_REPORT line."""
        self._warming = True

    def join(self, timeout: float) -> None:
        """Wait for the last lines once the environment has ended."""
        self._thread.join(timeout)

    def _run(self) -> None:
        # Chunks, not lines: a request's START/output/END/REPORT mostly arrive as one write.
        fd = self._stream.fileno()
        pending = b""
        while chunk := os.read(fd, 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            out = b"".join(self._rewrite(line + b"\n") for line in lines)
            if out:
                _write(out)
        if pending:
            _write(pending)
        self._stream.close()

    def _rewrite(self, line: bytes) -> bytes:
        if line.startswith(INIT_MARKER):
            self._init_ms = float(line[len(INIT_MARKER) :])
            return b""
        if self._warming and line.startswith((b"START RequestId", b"END RequestId")):
            return b""
        if self._warming and line.startswith(b"REPORT RequestId"):
            self._warming = False
            init = f"{self._init_ms:.2f} ms" if self._init_ms is not None else "unknown"
            return f"INIT_REPORT {self._name} Init Duration: {init}\tPhase: init\n".encode()
        return self._split_init(line) if b"Init Duration: " in line else line

    def _split_init(self, line: bytes) -> bytes:
        match = _REPORT_TIMES.search(line)
        if match is None or self._init_ms is None:
            return line
        duration = max(0.0, float(match.group(1)) - self._init_ms)
        times = (
            f"Init Duration: {self._init_ms:.2f} ms\tDuration: {duration:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(duration))} ms"
        )
        return line[: match.start()] + times.encode() + line[match.end() :]
