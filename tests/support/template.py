"""What template.yaml declares: function logical ids, code dirs and HTTP routes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@dataclass
class FunctionSpec:
    logical_id: str
    code_uri: str = ""
    handler: str = "app.handler"  # Globals.Function.Handler
    routes: set[tuple[str, str]] = field(default_factory=set)  # (METHOD, path)

    @property
    def name(self) -> str:
        return self.code_uri.strip("/").split("/")[-1]


def functions() -> dict[str, FunctionSpec]:
    # A reader for our own flat template, so tests need no YAML tag handling for !Ref.
    found: dict[str, FunctionSpec] = {}
    current: FunctionSpec | None = None
    for line in TEMPLATE.read_text().splitlines():
        if match := re.match(r"^  (\w+Function):$", line):
            current = found.setdefault(match.group(1), FunctionSpec(match.group(1)))
        elif current and (match := re.match(r"^      CodeUri: (\S+)$", line)):
            current.code_uri = match.group(1)
        elif current and (match := re.match(r"^      Handler: (\S+)$", line)):
            current.handler = match.group(1)
        elif current and (match := re.search(r"Path: (\S+), Method: (\w+)", line)):
            current.routes.add((match.group(2), match.group(1)))
    return found
