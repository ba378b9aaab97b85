"""template.yaml, functions/ and events/ stay in step."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from tests.support.template import functions

FUNCTIONS = functions()


def test_every_function_directory_is_in_the_template() -> None:
    directories = {path.parent.name for path in ROOT.glob("functions/*/app.py")}
    assert directories == {spec.name for spec in FUNCTIONS.values()}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_a_sample_event_on_one_of_its_routes(logical_id: str) -> None:
    spec = FUNCTIONS[logical_id]
    event = json.loads((ROOT / "events" / f"{spec.name}.json").read_text())
    http = event["requestContext"]["http"]
    assert event["version"] == "2.0"
    assert (http["method"], http["path"]) in spec.routes
