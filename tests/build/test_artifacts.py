"""What `sam build` produced: within budget, and every handler imports from it alone."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tools.template import functions

BUILD = ROOT / ".aws-sam" / "build"
RUNTIME_PYTHON = ROOT / ".venv-runtime" / "bin" / "python"
# About 38 MB of web and database stack, and 12 MB of cryptography (ES256 signatures: its
# stripped Rust extension alone is 11 MB). Lambda allows 250 MB; the budget catches a stray
# dependency, and cold init is measured on its own (scripts/bench_cold.py).
LAYER_BUDGET = 52 * 1024 * 1024
FUNCTION_BUDGET = 64 * 1024
# The docs function carries the whole API's OpenAPI document, which grows with every route.
DOCS_BUDGET = 256 * 1024
MIGRATE_BUDGET = 8 * 1024 * 1024
FUNCTIONS = functions()


@pytest.fixture(scope="module", autouse=True)
def _built() -> None:
    if not (BUILD / "template.yaml").exists():
        pytest.fail("no sam build artifacts: run `make build` first")


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_layer_is_within_budget() -> None:
    assert _size(BUILD / "CommonLayer") <= LAYER_BUDGET


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_package_is_small(logical_id: str) -> None:
    budgets = {"MigrateFunction": MIGRATE_BUDGET, "DocsFunction": DOCS_BUDGET}
    budget = budgets.get(logical_id, FUNCTION_BUDGET)
    assert _size(BUILD / logical_id) <= budget


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_handler_imports_from_the_build_alone(logical_id: str) -> None:
    # Lambda's view: function code + the layer's python/, a runtime with nothing else in it.
    module, attribute = FUNCTIONS[logical_id].handler.rsplit(".", 1)
    code = (
        "import importlib, sys; "
        f"handler = getattr(importlib.import_module({module!r}), {attribute!r}); "
        "assert callable(handler); "
        "assert not [p for p in sys.path if '.venv/' in p]"
    )
    task_root = BUILD / logical_id
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": f"{task_root}:{BUILD / 'CommonLayer' / 'python'}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "ENV": "development",
        "JWT_PRIVATE_KEY": os.environ["JWT_PRIVATE_KEY"],
        "JWT_PUBLIC_KEYS": os.environ["JWT_PUBLIC_KEYS"],
    }
    result = subprocess.run(
        [str(RUNTIME_PYTHON), "-c", code], cwd=task_root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
