"""`python -m emulator start-api` as a subprocess, for tests, benchmarks and tools."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tools.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
SAM_PYTHON = REPO_ROOT / ".venv-sam" / "bin" / "python"
# Any answer means the server is up; this path is routed nowhere, so no function runs.
READY_PATH = "/__emulator_ready__"


def emulator_command(command: str, *args: str | os.PathLike[str]) -> list[str]:
    """`.venv-sam/bin/python -m emulator COMMAND ARGS...`."""
    return [str(SAM_PYTHON), "-m", "emulator", command, *map(str, args)]


class EmulatorProcess:
    """A running `start-api`; its stdout and stderr go to a log file readable with `log()`."""

    def __init__(self, args: Sequence[str | os.PathLike[str]], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        # EMULATOR_LOG_DIR keeps the logs (START/END/REPORT, access lines) after the run.
        self._keep_log = bool(os.environ.get("EMULATOR_LOG_DIR"))
        self._log = tempfile.NamedTemporaryFile(
            prefix="emulator-", suffix=".log", delete=False, dir=os.environ.get("EMULATOR_LOG_DIR")
        )
        self.process = subprocess.Popen(
            emulator_command("start-api", "--port", str(port), *args),
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return Path(self._log.name).read_text(errors="replace")

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"emulator exited ({self.process.returncode}):\n{self.log()}")
            if self._answers():
                return
            time.sleep(0.05)
        raise TimeoutError(f"emulator not ready after {timeout}s:\n{self.log()}")

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(self.url + READY_PATH, timeout=5).close()
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then assert the process exits (killing it if it does not)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"emulator ignored SIGTERM for {timeout}s:\n{self.log()}"
            ) from None
        finally:
            self._log.close()
            if not self._keep_log:
                os.unlink(self._log.name)


def start_api_args(
    *,
    template: Path | None = None,
    build_dir: Path | None = None,
    env_vars: Path | None = None,
    from_source: bool = False,
    parameter_overrides: Sequence[str] = (),
) -> list[str]:
    args: list[str] = []
    if template is not None:
        args += ["--template", str(template)]
    if build_dir is not None:
        args += ["--build-dir", str(build_dir)]
    if env_vars is not None:
        args += ["--env-vars", str(env_vars)]
    if from_source:
        args.append("--from-source")
    if parameter_overrides:
        args += ["--parameter-overrides", *parameter_overrides]
    return args


@contextmanager
def running_emulator(*extra_args: str, **options: object) -> Iterator[EmulatorProcess]:
    """Start `start-api` on a free port, wait until it answers, stop it (and check it stops)."""
    process = EmulatorProcess([*start_api_args(**options), *extra_args], free_port())  # type: ignore[arg-type]
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


@contextmanager
def start_api(
    *,
    template: Path | None = None,
    build_dir: Path | None = None,
    env_vars: Path | None = None,
    from_source: bool = False,
    parameter_overrides: Sequence[str] = (),
    extra_args: Sequence[str] = (),
) -> Iterator[str]:
    """The emulated HTTP API's base URL, e.g. `with start_api(build_dir=...) as url:`."""
    with running_emulator(
        *extra_args,
        template=template,
        build_dir=build_dir,
        env_vars=env_vars,
        from_source=from_source,
        parameter_overrides=parameter_overrides,
    ) as process:
        yield process.url
