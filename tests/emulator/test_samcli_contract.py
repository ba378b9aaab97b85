"""Fails loudly when the aws-sam-cli internals the emulator uses move (checks run in .venv-sam)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.emulator import REPO_ROOT, SAM_PYTHON

CHECKS = Path(__file__).with_name("samcli_checks.py")
NAMES = [
    "pinned_version",
    "stack_and_function_providers",
    "api_provider_routes_and_cors",
    "parameter_overrides_type",
    "template_reader_gets_sams_function_configs",
    "gateway_agrees_with_sam_where_sam_is_right",
    "gateway_answers_where_sam_is_wrong",
    "responses_map_as_sams_gateway_maps_them",
    "rie_binary_and_flags",
    "small_helpers",
    "telemetry_off_switch",
]


@pytest.fixture(scope="module")
def results() -> dict[str, str | None]:
    run = subprocess.run(
        [str(SAM_PYTHON), str(CHECKS)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_every_check_is_listed(results: dict[str, str | None]) -> None:
    assert sorted(results) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_samcli_internal_still_there(results: dict[str, str | None], name: str) -> None:
    failure = results.get(name, "check missing")
    if failure:
        sys.stderr.write(failure)
    assert failure is None, f"aws-sam-cli internal moved ({name}):\n{failure}"


def test_awslambdaric_hooks_the_bootstrap_wraps_are_there() -> None:
    """emulator/logs.py BOOTSTRAP times the handler import and answers the warm-up event."""
    runtime_python = REPO_ROOT / ".venv-runtime" / "bin" / "python"
    check = (
        "import inspect, importlib.metadata as m;"
        "import awslambdaric.bootstrap as b, awslambdaric.__main__ as a;"
        "import awslambdaric.lambda_runtime_client as c;"
        "assert m.version('awslambdaric') == '4.2.2', m.version('awslambdaric');"
        "assert list(inspect.signature(b._get_handler).parameters) == ['handler'];"
        "assert list(inspect.signature(a.main).parameters) == ['args'];"
        "p = list(inspect.signature(b.handle_event_request).parameters);"
        "assert p[3] == 'event_body' and p[11] == 'invocation_id', p;"
        "assert 'handle_event_request(' in inspect.getsource(b.run);"
        "p = list(inspect.signature(c.LambdaRuntimeClient.post_invocation_result).parameters);"
        "assert p == ['self', 'invoke_id', 'result_data', 'content_type', 'invocation_id'], p"
    )
    run = subprocess.run(
        [str(runtime_python), "-c", check], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
