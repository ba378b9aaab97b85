"""`python -m emulator invoke` of every function with its events/ sample (as `sam local invoke`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.emulator import emulator_command
from tools.template import functions

# The samples carry a placeholder token, so the protected functions answer 401.
EXPECTED = {
    "RootFunction": {200},
    "HealthFunction": {200},
    "SignupFunction": {201, 409},
    "LoginFunction": {200},
    "MeFunction": {401},
    "LogoutFunction": {401},
    "LogoutAllFunction": {401},
    "RefreshFunction": {401},
    "PasswordFunction": {401},
    "DeleteAccountFunction": {401},
    # The mailed-link samples carry a placeholder token: 400 "Invalid or expired link".
    "VerifyEmailRequestFunction": {401},
    "VerifyEmailFunction": {400},
    "EmailChangeFunction": {401},
    "EmailChangeConfirmFunction": {400},
    "DocsFunction": {200},
    "JwksFunction": {200},
}
FUNCTIONS = functions()


@pytest.fixture(scope="module", autouse=True)
def _only_emulated(emulated: bool) -> None:
    if not emulated:
        pytest.skip("invoke goes through our emulator, not a --base-url server")


def invoke(logical_id: str, env_vars_file: Path) -> dict[str, object]:
    event = ROOT / "events" / f"{FUNCTIONS[logical_id].name}.json"
    result = subprocess.run(
        emulator_command(
            "invoke", logical_id, "-e", event, "--build-dir", ROOT / ".aws-sam" / "build",
            "--env-vars", env_vars_file,
        ),
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_every_function_is_covered() -> None:
    assert set(EXPECTED) | {"MigrateFunction"} == set(FUNCTIONS)


@pytest.mark.parametrize("logical_id", list(EXPECTED))
def test_invoke_with_the_sample_event(logical_id: str, env_vars_file: Path) -> None:
    if logical_id == "LoginFunction":
        invoke("SignupFunction", env_vars_file)  # the login sample's account
    result = invoke(logical_id, env_vars_file)
    assert result["statusCode"] in EXPECTED[logical_id]
    assert json.loads(str(result["body"]))


def test_invoke_migrate_function_reports_head(env_vars_file: Path) -> None:
    result = invoke("MigrateFunction", env_vars_file)
    assert result["revision"] == result["previous_revision"]  # the test database is at head
    assert result["changed"] is False
