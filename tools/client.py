"""The TypeScript client (clients/typescript): openapi-fetch over the types openapi-typescript
generates from functions/docs/openapi.json, at the versions package-lock.json pins.

    python -m tools.client generate   # rewrite src/schema.d.ts from the document
    python -m tools.client check      # exit 1 when schema.d.ts is stale or tsc finds an error

Both run `npm ci` first when node_modules is missing or came from another package.json or
lock file. Without node they exit 1 saying so: `make test` runs the check, and CI has node.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "clients" / "typescript"
DOCUMENT = ROOT / "functions" / "docs" / "openapi.json"
SCHEMA = Path("src") / "schema.d.ts"
MANIFESTS = ("package.json", "package-lock.json")
# Written after `npm ci`: the hash of the manifests node_modules was installed from.
STAMP = Path("node_modules") / ".mdc-installed"
BIN = Path("node_modules") / ".bin"


class ClientError(Exception):
    """A step failed; the message says which, and what to do."""


def manifests_hash(client: Path) -> str:
    digest = hashlib.sha256()
    for name in MANIFESTS:
        digest.update((client / name).read_bytes())
    return digest.hexdigest()


def is_installed(client: Path) -> bool:
    """node_modules was installed from the manifests as they are now."""
    stamp = client / STAMP
    return stamp.is_file() and stamp.read_text().strip() == manifests_hash(client)


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        raise ClientError(
            f"The TypeScript client (clients/typescript) needs {' and '.join(missing)}, "
            "not found on PATH: install Node.js 20 or later with npm (Debian: apt-get install "
            "nodejs npm)."
        )


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shown = " ".join(Path(part).name if "/" in part else part for part in command)
        raise ClientError(f"`{shown}` failed:\n{result.stdout}{result.stderr}".rstrip())


def install(client: Path) -> None:
    """`npm ci` unless node_modules already holds what the lock file pins."""
    _require("node")
    if is_installed(client):
        return
    _require("npm")
    print(f"npm ci in {_shown(client)}", flush=True)
    _run(["npm", "ci", "--no-audit", "--no-fund"], client)
    (client / STAMP).write_text(manifests_hash(client) + "\n")


def generate(client: Path, document: Path, out: Path) -> None:
    command = [str(client / BIN / "openapi-typescript"), str(document), "--output", str(out)]
    _run(command, client)


def check(client: Path, document: Path) -> None:
    """The committed schema.d.ts is what the document generates, and tsc accepts the client
    and its examples."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "schema.d.ts"
        generate(client, document, fresh)
        committed = client / SCHEMA
        if not committed.is_file() or committed.read_bytes() != fresh.read_bytes():
            raise ClientError(f"{_shown(committed)}: client out of date: run make client")
    _run([str(client / BIN / "tsc"), "--noEmit", "--project", str(client)], client)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.client", description=__doc__)
    parser.add_argument("command", choices=("generate", "check"))
    args = parser.parse_args(argv)
    try:
        install(CLIENT)
        if args.command == "generate":
            generate(CLIENT, DOCUMENT, CLIENT / SCHEMA)
            print(f"wrote {_shown(CLIENT / SCHEMA)}")
        else:
            check(CLIENT, DOCUMENT)
    except ClientError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
