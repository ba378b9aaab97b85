"""template.yaml, functions/ and events/ stay in step."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _functions() -> dict[str, dict[str, Any]]:
    # A tiny reader for our own flat template: logical id -> CodeUri and routes.
    functions: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for line in (ROOT / "template.yaml").read_text().splitlines():
        if match := re.match(r"^  (\w+Function):$", line):
            current = match.group(1)
            functions[current] = {"routes": set()}
        elif current and (match := re.match(r"^      CodeUri: (\S+)$", line)):
            functions[current]["code_uri"] = match.group(1)
        elif current and (match := re.search(r"Path: (\S+), Method: (\w+)", line)):
            functions[current]["routes"].add((match.group(2), match.group(1)))
    return functions


FUNCTIONS = _functions()


def test_every_function_directory_is_in_the_template() -> None:
    directories = {f"functions/{path.parent.name}/" for path in ROOT.glob("functions/*/app.py")}
    assert directories == {spec["code_uri"] for spec in FUNCTIONS.values()}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_a_sample_event_on_one_of_its_routes(logical_id: str) -> None:
    name = FUNCTIONS[logical_id]["code_uri"].split("/")[1]
    event = json.loads((ROOT / "events" / f"{name}.json").read_text())
    http = event["requestContext"]["http"]
    assert event["version"] == "2.0"
    assert (http["method"], http["path"]) in FUNCTIONS[logical_id]["routes"]
