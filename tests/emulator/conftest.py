"""One emulator over the fixture template for the HTTP tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.emulator import TEMPLATE, EmulatorProcess, running_emulator

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
