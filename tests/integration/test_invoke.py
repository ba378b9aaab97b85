"""`python -m emulator invoke` of every function with its events/ sample (as `sam local invoke`)."""

from __future__ import annotations

import json
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from tests.support.emulator import emulator_command
from tests.support.paths import ROOT
from tools.database import (
    alembic_config,
    applied_revisions,
    connect,
    create_database,
    drop_database,
)
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
    "PasswordForgotFunction": {202},
    "PasswordResetFunction": {400},
    "DocsFunction": {200},
    "JwksFunction": {200},
    "EmailChangeRevertFunction": {400},
    "SessionsFunction": {401},
    "SecurityEventsFunction": {401},
    "WorkspacesFunction": {401},
    "MembersFunction": {401},
    "InvitationsFunction": {401},
    "AttachmentsFunction": {401},
    "AttachmentFunction": {401},
    "DocumentsFunction": {401},
    "DocumentHtmlFunction": {401},
    "RevisionsFunction": {401},
    "SharesFunction": {401},
    "SearchFunction": {401},
    # A made-up share token: the same 404 as a revoked or expired one.
    "PublicShareFunction": {404},
}
# Off the API: invoked with their own events (the migration, the scheduled purges).
NOT_HTTP = {
    "MigrateFunction",
    "PurgeSecurityEventsFunction",
    "AttachmentsPurgeFunction",
    "PurgeDocumentsFunction",
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
    assert set(EXPECTED) | NOT_HTTP == set(FUNCTIONS)


@pytest.mark.parametrize("logical_id", list(EXPECTED))
def test_invoke_with_the_sample_event(logical_id: str, env_vars_file: Path) -> None:
    if logical_id == "LoginFunction":
        invoke("SignupFunction", env_vars_file)  # the login sample's account
    result = invoke(logical_id, env_vars_file)
    assert result["statusCode"] in EXPECTED[logical_id]
    assert json.loads(str(result["body"]))


def test_invoke_migrate_function_upgrades_an_empty_database_to_head(
    app_env: dict[str, str], tmp_path: Path
) -> None:
    url = create_database("mdc_invoke_migrate")
    try:
        env_vars = tmp_path / "env.json"
        env_vars.write_text(json.dumps({"Parameters": {**app_env, "DATABASE_URL": url}}))
        first = invoke("MigrateFunction", env_vars)
        second = invoke("MigrateFunction", env_vars)
        with closing(connect(url)) as connection:
            applied = applied_revisions(connection)
    finally:
        drop_database(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert first == {"previous_revision": None, "revision": head, "changed": True}
    assert second == {"previous_revision": head, "revision": head, "changed": False}
    assert applied == {head}


def test_invoke_the_scheduled_purge_with_its_sample_event(env_vars_file: Path) -> None:
    # `sam local invoke PurgeSecurityEventsFunction -e events/purge_security_events.json`
    first = invoke("PurgeSecurityEventsFunction", env_vars_file)
    assert first["retention_days"] == 365
    assert invoke("PurgeSecurityEventsFunction", env_vars_file)["deleted"] == 0
