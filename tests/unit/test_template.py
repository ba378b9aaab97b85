"""template.yaml, functions/ and events/ stay in step."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from tools.template import document, functions

FUNCTIONS = functions()
API_FUNCTIONS = {logical_id: spec for logical_id, spec in FUNCTIONS.items() if spec.routes}


def test_every_function_directory_is_in_the_template() -> None:
    directories = {path.parent.name for path in ROOT.glob("functions/*/app.py")}
    assert directories == {spec.name for spec in API_FUNCTIONS.values()}


def test_only_the_migrate_function_is_off_the_api() -> None:
    assert set(FUNCTIONS) - set(API_FUNCTIONS) == {"MigrateFunction"}
    assert FUNCTIONS["MigrateFunction"].code_uri == "migrations"


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_a_sample_event(logical_id: str) -> None:
    assert (ROOT / "events" / f"{FUNCTIONS[logical_id].name}.json").is_file()


@pytest.mark.parametrize("logical_id", sorted(API_FUNCTIONS))
def test_api_sample_events_hit_one_of_their_functions_routes(logical_id: str) -> None:
    spec = FUNCTIONS[logical_id]
    event = json.loads((ROOT / "events" / f"{spec.name}.json").read_text())
    http = event["requestContext"]["http"]
    assert event["version"] == "2.0"
    assert (http["method"], http["path"]) in spec.routes


def test_a_plain_deploy_is_production_with_a_real_bcrypt_cost() -> None:
    parameters = document()["Parameters"]
    assert parameters["Env"]["Default"] == "production"
    assert parameters["BcryptRounds"]["MinValue"] >= 10
