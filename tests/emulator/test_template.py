"""The template snapshot: read with SAM CLI once, reused until anything it came from changes."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.emulator import FIXTURES, REPO_ROOT, emulator_command


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES, tmp_path / "project")
    return tmp_path / "project"


def _invoke_env(
    project: Path, cache: Path, environ: dict[str, str] | None = None, importtime: bool = False
) -> tuple[dict[str, str], str]:
    command = emulator_command(
        "invoke", "EchoFunction", "-t", project / "template.yaml", "--cache-dir", cache
    )
    if importtime:
        command.insert(1, "-X")
        command.insert(2, "importtime")
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(environ or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    body = json.loads(json.loads(result.stdout)["body"])
    return body["env"], result.stderr


def test_second_start_reads_the_snapshot_not_the_template(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, first_imports = _invoke_env(project, cache, importtime=True)
    second, second_imports = _invoke_env(project, cache, importtime=True)

    declared = [name for name in first if name.startswith(("FROM_", "OVERRIDDEN_"))]
    assert declared and all(first[name] == second[name] for name in declared)
    assert "samcli.lib.providers.sam_stack_provider" in first_imports
    assert "samcli.lib.providers" not in second_imports
    (snapshot,) = (cache / "projects").iterdir()
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600  # it holds env.json's values


def test_a_changed_template_is_read_again(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _invoke_env(project, cache)[0]["FROM_GLOBAL"] == "global"
    template = project / "template.yaml"
    template.write_text(template.read_text().replace("FROM_GLOBAL: global", "FROM_GLOBAL: edited"))

    assert _invoke_env(project, cache)[0]["FROM_GLOBAL"] == "edited"


def test_shell_values_sam_reads_are_part_of_the_snapshot_key(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _invoke_env(project, cache)[0]["OVERRIDDEN_BY_FUNCTION"] == "function"

    shell = {"OVERRIDDEN_BY_FUNCTION": "from-the-shell"}
    assert _invoke_env(project, cache, shell)[0]["OVERRIDDEN_BY_FUNCTION"] == "from-the-shell"
    assert _invoke_env(project, cache)[0]["OVERRIDDEN_BY_FUNCTION"] == "function"


def test_globals_logging_config_merges_into_the_functions_own(
    project: Path, tmp_path: Path
) -> None:
    # As SAM merges Globals: the function's LogGroup joins the format and levels of Globals,
    # and the runtime starts with JSON logs (the environment Lambda gives it).
    template = project / "template.yaml"
    text = template.read_text()
    text = text.replace(
        "    Handler: app.handler\n",
        "    Handler: app.handler\n"
        "    LoggingConfig: {LogFormat: JSON, ApplicationLogLevel: INFO, SystemLogLevel: INFO}\n",
    )
    text = text.replace(
        "      CodeUri: functions/echo/\n",
        "      CodeUri: functions/echo/\n      LoggingConfig: {LogGroup: /aws/lambda/echo}\n",
    )
    template.write_text(text)

    env, _ = _invoke_env(project, tmp_path / "cache")
    assert env["AWS_LAMBDA_LOG_FORMAT"] == "JSON"
    assert env["AWS_LAMBDA_LOG_LEVEL"] == "INFO"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/echo"
