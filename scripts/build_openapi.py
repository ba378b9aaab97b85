"""Build the whole API's OpenAPI document from every function's routes.

python scripts/build_openapi.py          # write functions/docs/openapi.json
python scripts/build_openapi.py --check  # exit 1 when the committed document is stale
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Settings default to production; building the document needs no production checks.
os.environ.setdefault("ENV", "development")
DOCUMENT = ROOT / "functions" / "docs" / "openapi.json"
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common")]

from fastapi import FastAPI  # noqa: E402
from fastapi.openapi.utils import get_openapi  # noqa: E402

from mdcreator.auth.keys import generate_private_jwk, public_jwks_of  # noqa: E402
from mdcreator.http.app import API_TITLE, API_VERSION  # noqa: E402


def _throwaway_keys() -> None:
    # Functions refuse to start without keys; the document does not depend on them.
    if "JWT_PRIVATE_KEY" not in os.environ:
        private = generate_private_jwk()
        os.environ["JWT_PRIVATE_KEY"] = json.dumps(private)
        os.environ["JWT_PUBLIC_KEYS"] = json.dumps(public_jwks_of(private))


def function_apps() -> list[FastAPI]:
    _throwaway_keys()
    names = sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))
    modules = [importlib.import_module(f"functions.{name}.app") for name in names]
    # Scheduled functions (the purge) have a handler and no app: no routes to document.
    return [module.app for module in modules if hasattr(module, "app")]


def build_document() -> dict[str, Any]:
    routes = [route for app in function_apps() for route in app.routes]
    return get_openapi(
        title=API_TITLE,
        version=API_VERSION,
        description="Accounts for the MD Creator editor: signup, login, me, logout.",
        routes=routes,
    )


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    fresh = render(build_document())
    if "--check" in argv:
        if not DOCUMENT.exists() or DOCUMENT.read_text() != fresh:
            sys.stderr.write(f"{DOCUMENT.relative_to(ROOT)} is stale: run make openapi\n")
            return 1
        return 0
    DOCUMENT.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
