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


# Every route names one of these tags (`tags=[...]` beside its `operation_id=` in
# functions/<name>/app.py); the document lists them in this order, the order an SPA meets
# them in. The workspaces and documents APIs add theirs here.
TAGS: list[dict[str, str]] = [
    {"name": "auth", "description": "Create an account and log in."},
    {
        "name": "sessions",
        "description": "Keep a session alive and end it: refresh rotates the token pair, "
        "logout ends this session, logout-all every session of the account.",
    },
    {
        "name": "account",
        "description": "The caller's own account: read and update the profile, change the "
        "password, delete the account.",
    },
    {
        "name": "mail-links",
        "description": "What a mailed link confirms: the address (verify), a new address "
        "(email change), a forgotten password (reset). Each request mails a link; the page "
        "it opens sends the link's token back to the matching operation.",
    },
    {
        "name": "keys",
        "description": "The public keys that verify access tokens, for other services.",
    },
    {"name": "meta", "description": "The service itself: banner and dependency health."},
    {
        "name": "workspaces",
        "description": "The caller's workspaces: create, list, rename, delete (owner).",
    },
    {
        "name": "members",
        "description": "Who belongs to a workspace and with which role; leaving.",
    },
    {
        "name": "invitations",
        "description": "Invite an address by mail, list and revoke pending links, accept one.",
    },
    {
        "name": "documents",
        "description": "Markdown documents of a workspace: If-Match on every write, trash, HTML.",
    },
    {"name": "revisions", "description": "A document's history: list, read, diff, restore."},
    {
        "name": "search",
        "description": "Words, phrases, half words and CJK text in a workspace's documents.",
    },
    {
        "name": "shares",
        "description": "Read-only share links of a document, and the public page they open.",
    },
    {
        "name": "attachments",
        "description": "Files of a workspace: a presigned upload to S3, its check, downloads.",
    },
]


def function_apps() -> list[FastAPI]:
    _throwaway_keys()
    names = sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))
    modules = [importlib.import_module(f"functions.{name}.app") for name in names]
    # A scheduled function (no gateway in front) has a handler and no app.
    return [module.app for module in modules if hasattr(module, "app")]


def build_document() -> dict[str, Any]:
    routes = [route for app in function_apps() for route in app.routes]
    return get_openapi(
        title=API_TITLE,
        version=API_VERSION,
        description="The MD Creator editor's API: accounts and sessions, workspaces and members.",
        routes=routes,
        tags=TAGS,
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
