"""The CLI's failures are one clear line and a non-zero exit; `invoke` prints the result JSON."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

from tests.support.emulator import REPO_ROOT, TEMPLATE, emulator_command, free_port


def _run(command: str, *args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        emulator_command(command, *args),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr.split("Error: ")[-1]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ")
    return last


def test_invoke_prints_the_result_json(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"hello": "world"}))

    result = _run("invoke", "EchoFunction", "-t", TEMPLATE, "-e", event)

    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["statusCode"] == 200
    assert json.loads(payload["body"])["event"] == {"hello": "world"}
    assert "REPORT RequestId: " in result.stderr


def test_invoke_unknown_function_is_one_line_and_non_zero() -> None:
    result = _run("invoke", "NoSuchFunction", "-t", TEMPLATE)

    assert result.returncode != 0
    line = _one_error_line(result.stderr)
    assert "NoSuchFunction" in line and "not found" in line
    assert result.stdout == ""


def test_invoke_import_failure_is_one_line_and_non_zero() -> None:
    result = _run("invoke", "BrokenFunction", "-t", TEMPLATE)

    assert result.returncode != 0
    line = _one_error_line(result.stderr)
    assert "Runtime.ImportModuleError" in line
    assert "module_missing_from_the_layer" in line
    assert json.loads(result.stdout)["errorType"] == "Runtime.ImportModuleError"


def test_start_api_on_a_port_in_use_is_one_line_and_non_zero() -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = _run("start-api", "-t", TEMPLATE, "--port", str(port), timeout=20)

    assert result.returncode != 0
    assert f"port {port}" in _one_error_line(result.stderr)


def test_start_api_without_a_build_is_one_line_and_non_zero(tmp_path: Path) -> None:
    result = _run("start-api", "--build-dir", tmp_path / "missing", "--port", str(free_port()))

    assert result.returncode != 0
    assert "sam build" in _one_error_line(result.stderr)
