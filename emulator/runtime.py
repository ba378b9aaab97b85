"""Execution environments: an aws-lambda-rie + awslambdaric process pair each, per function."""

from __future__ import annotations

import json
import logging
import os
import platform
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from emulator.errors import (
    EmulatorError,
    EnvironmentCrash,
    FunctionError,
    FunctionTimeout,
    InvokeFailure,
)
from emulator.logs import BOOTSTRAP, WARM_UP_EVENT, LogPump
from emulator.processes import spawner
from emulator.wire import InvokeConnection
from tools.ports import free_port

LOG = logging.getLogger(__name__)

_LAMBDA_ERROR_KEYS = {"errorMessage", "errorType"}
_LAMBDA_ERROR_PAYLOAD_KEYS = _LAMBDA_ERROR_KEYS | {"stackTrace", "cause", "requestId"}
_TIMEOUT_PREFIX = b"Task timed out after"
_READY_TIMEOUT_S = 10.0
_KILL_GRACE_S = 1.0


@dataclass(frozen=True)
class FunctionSpec:
    """What an environment of one function needs: the same for all its environments."""

    name: str
    handler: str
    task_root: str
    env: dict[str, str]
    timeout: int


def rie_binary() -> Path:
    """The aws-lambda-rie shipped inside aws-sam-cli, for this machine's architecture."""
    import samcli

    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower()
    )
    if arch is None:
        raise EmulatorError(f"no aws-lambda-rie for architecture {platform.machine()}")
    path = Path(samcli.__file__).parent / "local" / "rapid" / f"aws-lambda-rie-{arch}"
    if not os.access(path, os.X_OK):
        raise EmulatorError(f"aws-lambda-rie not found or not executable: {path}")
    return path


def is_lambda_error(body: bytes) -> bool:
    """The payload awslambdaric sends for an unhandled handler exception.

    SAM's LambdaOutputParser.is_lambda_error_response rejects it: awslambdaric 4 adds `requestId`.
    """
    if not body.startswith(b"{") or b'"errorType"' not in body:
        return False
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(payload, dict)
        and _LAMBDA_ERROR_KEYS <= payload.keys() <= _LAMBDA_ERROR_PAYLOAD_KEYS
    )


class Environment:
    """One warm execution environment; ONE invocation at a time (the RIE crashes otherwise)."""

    def __init__(
        self, spec: FunctionSpec, rie: Path, runtime_python: Path, generation: int
    ) -> None:
        self.spec = spec
        self.generation = generation
        self.last_used = time.monotonic()
        self.broken = False
        self._port = free_port()
        api_port = free_port()
        command = [
            str(rie),
            "--log-level",
            "error",
            "--runtime-interface-emulator-address",
            f"127.0.0.1:{self._port}",
            "--runtime-api-address",
            f"127.0.0.1:{api_port}",
            str(runtime_python),
            "-c",
            BOOTSTRAP,
            spec.handler,
        ]
        # The RIE leads a session of its own and forks the runtime into a process group of its
        # own; the runtime dies with the RIE (BOOTSTRAP), the RIE with us (processes.py).
        self._process = spawner().popen(
            command,
            cwd=spec.task_root,
            env=spec.env,
            stdin=subprocess.DEVNULL,
            # Lambda's logs (START/END/REPORT, the function's output) go to our stderr: stdout
            # carries `invoke`'s result.
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert self._process.stdout is not None
        self._logs = LogPump(self._process.stdout, spec.name)
        self._conn: InvokeConnection | None = None

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait_ready(self) -> None:
        """Block until the RIE accepts connections."""
        deadline = time.monotonic() + _READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EnvironmentCrash(self.spec.name, b"aws-lambda-rie exited at start")
            try:
                self._conn = self._connect()
                return
            except OSError:
                time.sleep(0.002)
        raise EnvironmentCrash(self.spec.name, b"aws-lambda-rie did not start listening")

    def _connect(self) -> InvokeConnection:
        return InvokeConnection(self._port, timeout=self.spec.timeout + 5)

    def invoke(self, event: bytes) -> bytes:
        """Run one invocation; raise InvokeFailure (and mark self broken if it can't be reused)."""
        self.last_used = time.monotonic()
        try:
            status, body = self._post(event)
        except (OSError, ValueError) as exc:
            self.broken = True
            if isinstance(exc, TimeoutError):
                raise FunctionTimeout(self.spec.name, b"no answer from the environment") from exc
            raise EnvironmentCrash(
                self.spec.name, f"environment unreachable: {exc}".encode()
            ) from exc
        finally:
            self.last_used = time.monotonic()
        return self._check(status, body)

    def warm_up(self) -> None:
        """Initialise the runtime (import the handler) without invoking the handler."""
        self._logs.expect_warm_up()
        self.invoke(WARM_UP_EVENT)

    def _post(self, event: bytes) -> tuple[int, bytes]:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn.post(event)

    def _check(self, status: int, body: bytes) -> bytes:
        if status != 200:
            self.broken = True
            raise EnvironmentCrash(self.spec.name, body)
        if body.startswith(_TIMEOUT_PREFIX):
            self.broken = True
            raise FunctionTimeout(self.spec.name, body)
        if is_lambda_error(body):
            raise FunctionError(self.spec.name, body)
        return body

    def terminate(self) -> None:
        """Ask the RIE, and with it its runtime, to stop (non-blocking)."""
        if self._conn is not None:
            self._conn.abort()
        self._signal(signal.SIGTERM)

    def wait_gone(self, deadline: float) -> None:
        """Wait for the RIE to exit; SIGKILL its group after the deadline (the runtime follows)."""
        try:
            self._process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self._process.wait()
        # Whatever else the RIE started in its group may not outlive it.
        self._signal(signal.SIGKILL)
        if self._conn is not None:
            self._conn.close()
        self._logs.join(timeout=0.5)

    def close(self) -> None:
        self.terminate()
        self.wait_gone(time.monotonic() + _KILL_GRACE_S)

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self._process.pid, signum)
        except ProcessLookupError:
            pass


@dataclass
class _Slots:
    """The environments of one function."""

    idle: list[Environment] = field(default_factory=list)
    count: int = 0
    generation: int = 0
    warming: int = 0


SpecFactory = Callable[[], FunctionSpec]


class Pool:
    """Warm environments per function, up to `max_per_function`, one invocation each at a time."""

    def __init__(
        self, runtime_python: Path, max_per_function: int = 4, idle_timeout: float = 600.0
    ) -> None:
        self._rie = rie_binary()
        self._runtime_python = runtime_python
        self._max = max_per_function
        self._idle_timeout = idle_timeout
        self._cond = threading.Condition()
        self._slots: dict[str, _Slots] = {}
        self._busy: set[Environment] = set()
        self._spawning = 0
        self._closed = False
        self._reaper = threading.Thread(target=self._reap_loop, name="env-reaper", daemon=True)
        self._reaper.start()

    def invoke(self, key: str, make_spec: SpecFactory, event: bytes) -> bytes:
        """Invoke the function `key` on a free (or new) environment."""
        env = self._acquire(key, make_spec)
        try:
            return env.invoke(event)
        finally:
            self._release(key, env)

    def prewarm(self, key: str, make_spec: SpecFactory) -> None:
        """Start and initialise one environment of `key` unless it has one; park it idle."""
        with self._cond:
            slots = self._slots.setdefault(key, _Slots())
            if self._closed or slots.count:
                return
            slots.count += 1
            slots.warming += 1
            self._spawning += 1
            generation = slots.generation
        env: Environment | None = None
        try:
            env = self._spawn(key, make_spec, generation)
            env.warm_up()
        except InvokeFailure as failure:
            LOG.warning("%s did not warm up: %s", key, failure.summary())
        finally:
            with self._cond:
                slots.warming -= 1
                self._cond.notify_all()
        if env is not None:
            self._release(key, env)

    def _acquire(self, key: str, make_spec: SpecFactory) -> Environment:
        with self._cond:
            slots = self._slots.setdefault(key, _Slots())
            # An environment warming up is coming: wait for it rather than start another.
            while (
                not self._closed and not slots.idle and (slots.count >= self._max or slots.warming)
            ):
                self._cond.wait()
            if self._closed:
                raise EnvironmentCrash(key, b"emulator shutting down")
            if slots.idle:
                env = slots.idle.pop()
                self._busy.add(env)
                return env
            slots.count += 1
            self._spawning += 1
            generation = slots.generation
        return self._spawn(key, make_spec, generation)

    def _spawn(self, key: str, make_spec: SpecFactory, generation: int) -> Environment:
        try:
            env = self._start(make_spec(), generation)
        except BaseException:
            with self._cond:
                self._slots[key].count -= 1
            raise
        finally:
            with self._cond:
                self._spawning -= 1
                self._cond.notify_all()
        LOG.debug("started environment pid=%d for %s", env.pid, key)
        return env

    def _start(self, spec: FunctionSpec, generation: int, attempts: int = 3) -> Environment:
        # A port picked free may be taken before the RIE binds it: then the RIE exits; retry.
        for attempt in range(attempts):
            env = Environment(spec, self._rie, self._runtime_python, generation)
            with self._cond:
                self._busy.add(env)
            try:
                env.wait_ready()
                return env
            except BaseException:
                with self._cond:
                    self._busy.discard(env)
                env.close()
                if attempt == attempts - 1 or self._closed:
                    raise
        raise AssertionError("unreachable")

    def _release(self, key: str, env: Environment) -> None:
        with self._cond:
            self._busy.discard(env)
            slots = self._slots[key]
            keep = not env.broken and not self._closed and env.generation == slots.generation
            if keep:
                slots.idle.append(env)
            else:
                slots.count -= 1
            self._cond.notify_all()
        if not keep:
            env.close()

    def invalidate(self, keys: set[str]) -> None:
        """Drop the environments of `keys` (code changed): idle ones now, busy ones when done."""
        stale: list[Environment] = []
        with self._cond:
            for key in keys:
                slots = self._slots.setdefault(key, _Slots())
                slots.generation += 1
                stale.extend(slots.idle)
                slots.count -= len(slots.idle)
                slots.idle.clear()
            self._cond.notify_all()
        _close_all(stale)

    def _reap_loop(self) -> None:
        while not self._closed:
            time.sleep(min(10.0, self._idle_timeout / 2))
            cutoff = time.monotonic() - self._idle_timeout
            expired: list[Environment] = []
            with self._cond:
                for slots in self._slots.values():
                    stale = [env for env in slots.idle if env.last_used < cutoff]
                    slots.idle = [env for env in slots.idle if env.last_used >= cutoff]
                    slots.count -= len(stale)
                    expired += stale
            if expired:
                LOG.info("reaping %d idle environment(s)", len(expired))
                _close_all(expired)

    def close(self) -> None:
        """Stop every environment, idle or busy, and wait until all their processes are gone."""
        with self._cond:
            self._closed = True
            # An environment being started is in no list yet: let it land in _busy first.
            self._cond.wait_for(lambda: self._spawning == 0, timeout=_READY_TIMEOUT_S)
            envs = [env for slots in self._slots.values() for env in slots.idle] + list(self._busy)
            for slots in self._slots.values():
                slots.idle.clear()
            self._cond.notify_all()
        _close_all(envs)


def _close_all(envs: list[Environment]) -> None:
    for env in envs:
        env.terminate()
    deadline = time.monotonic() + _KILL_GRACE_S
    for env in envs:
        env.wait_gone(deadline)
