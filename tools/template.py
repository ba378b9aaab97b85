"""What template.yaml declares, as SAM CLI reads it: functions, routes, environments.

The one reader of the template is SAM CLI's own (through `emulator.template`), so tests and
scripts see exactly what `sam local` and the emulator see: Globals merged, intrinsics resolved.
SAM CLI lives in `.venv-sam`; from any other interpreter this module asks that one, once per
template content (the answer is cached under `.emulator/`).

    .venv-sam/bin/python -m tools.template [TEMPLATE]   # the facts as JSON
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"
CACHE_DIR = ROOT / ".emulator" / "template-facts"
# The answer depends on these files besides the template itself.
_READER_SOURCES = (Path(__file__), ROOT / "emulator" / "template.py")


@dataclass(frozen=True)
class FunctionFacts:
    logical_id: str
    code_uri: str  # relative to the template's folder, e.g. "functions/me"
    handler: str
    routes: frozenset[tuple[str, str]]  # (METHOD, path) of its HttpApi events
    environment: dict[str, str]  # Globals + its own variables, intrinsics resolved
    raw_global_environment: dict[str, Any]  # Globals.Function.Environment.Variables as written

    @property
    def name(self) -> str:
        """The code folder's name: functions/<name>/, events/<name>.json."""
        return Path(self.code_uri).name


def functions(template: Path = TEMPLATE) -> dict[str, FunctionFacts]:
    """Every AWS::Serverless::Function of the template, by logical id."""
    return {
        logical_id: FunctionFacts(
            logical_id=logical_id,
            code_uri=fact["code_uri"],
            handler=fact["handler"],
            routes=frozenset((method, path) for method, path in fact["routes"]),
            environment=fact["environment"],
            raw_global_environment=fact["raw_global_environment"],
        )
        for logical_id, fact in _facts(template.resolve()).items()
    }


@cache
def _facts(template: Path) -> dict[str, Any]:
    try:
        import samcli  # noqa: F401
    except ImportError:
        return _facts_from_sam_venv(template)
    return _read_with_sam(template)


def _facts_from_sam_venv(template: Path) -> dict[str, Any]:
    digest = hashlib.sha256(template.read_bytes())
    for source in _READER_SOURCES:
        digest.update(source.read_bytes())
    cached = CACHE_DIR / f"{digest.hexdigest()[:24]}.json"
    if cached.is_file():
        return json.loads(cached.read_text())  # type: ignore[no-any-return]
    if not SAM_PYTHON.is_file():
        raise RuntimeError(f"SAM CLI's venv is missing ({SAM_PYTHON}): run `make venv`")
    result = subprocess.run(
        [str(SAM_PYTHON), "-m", "tools.template", str(template)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"reading {template} with SAM CLI failed:\n{result.stderr[-2000:]}")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    partial.write_text(result.stdout)
    partial.replace(cached)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _read_with_sam(template: Path) -> dict[str, Any]:
    from emulator.template import sam_stacks

    stacks, provider = sam_stacks(template)
    raw_globals = stacks[0].template_dict.get("Globals", {}).get("Function", {})
    raw_environment = dict(raw_globals.get("Environment", {}).get("Variables", {}))
    facts: dict[str, Any] = {}
    for function in provider.get_all():
        routes = sorted(
            (event["Properties"]["Method"].upper(), event["Properties"]["Path"])
            for event in (function.events or {}).values()
            if event.get("Type") == "HttpApi"
        )
        variables = (function.environment or {}).get("Variables", {})
        facts[function.full_path] = {
            "code_uri": Path(function.codeuri).relative_to(template.parent).as_posix(),
            "handler": function.handler,
            "routes": routes,
            "environment": {name: str(value) for name, value in variables.items()},
            "raw_global_environment": raw_environment,
        }
    return facts


@cache
def document(template: Path = TEMPLATE) -> dict[str, Any]:
    """The template as written (short tags in their long form, e.g. {"Ref": ...}), by SAM's
    own YAML reader: for facts about resources and parameters that `functions` leaves out."""
    code = (
        "import json, sys; from samcli.yamlhelper import yaml_parse; "
        "json.dump(yaml_parse(open(sys.argv[1]).read()), sys.stdout, default=str)"
    )
    try:
        from samcli.yamlhelper import yaml_parse
    except ImportError:
        result = subprocess.run(
            [str(SAM_PYTHON), "-c", code, str(template)], capture_output=True, text=True, check=True
        )
        return json.loads(result.stdout)  # type: ignore[no-any-return]
    return yaml_parse(template.read_text())  # type: ignore[no-any-return]


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE
    json.dump(_read_with_sam(path.resolve()), sys.stdout, indent=1, default=str)
