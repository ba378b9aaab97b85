"""tools.client: the TypeScript client's install, freshness and compile check (`make test`
runs the real one; these cover what it decides)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import client


@pytest.fixture
def package(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text('{"name": "x"}\n')
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    return tmp_path


def _mark_installed(package: Path) -> None:
    (package / client.STAMP).parent.mkdir(parents=True, exist_ok=True)
    (package / client.STAMP).write_text(client.manifests_hash(package) + "\n")


def test_node_modules_counts_as_installed_only_from_the_manifests_as_they_are(
    package: Path,
) -> None:
    assert not client.is_installed(package)
    _mark_installed(package)
    assert client.is_installed(package)
    (package / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}\n')
    assert not client.is_installed(package)
    _mark_installed(package)
    (package / "package.json").write_text('{"name": "y"}\n')
    assert not client.is_installed(package)


def test_without_node_the_check_fails_saying_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert client.main(["check"]) == 1
    error = capsys.readouterr().err
    assert "needs node" in error
    assert "Node.js 20" in error


def test_a_schema_the_document_no_longer_generates_fails_the_check(
    package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (package / "src").mkdir()
    (package / client.SCHEMA).write_text("export interface paths {}\n")
    compiled: list[list[str]] = []

    def generate(_: Path, __: Path, out: Path) -> None:
        out.write_text('export interface paths { "/new": {} }\n')

    monkeypatch.setattr(client, "generate", generate)
    monkeypatch.setattr(client, "_run", lambda command, _: compiled.append(command))
    with pytest.raises(client.ClientError, match="client out of date: run make client"):
        client.check(package, package / "openapi.json")
    assert compiled == []

    (package / client.SCHEMA).write_text('export interface paths { "/new": {} }\n')
    client.check(package, package / "openapi.json")
    assert [Path(command[0]).name for command in compiled] == ["tsc"]


def test_every_package_is_pinned_to_one_version() -> None:
    manifest = json.loads((client.CLIENT / "package.json").read_text())
    pins = {**manifest["dependencies"], **manifest["devDependencies"]}
    assert {"openapi-fetch", "openapi-typescript", "typescript"} <= set(pins)
    for name, version in pins.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}@{version}"


def test_the_readme_shows_the_example_that_tsc_compiles() -> None:
    readme = (client.CLIENT / "README.md").read_text()
    shown = re.search(r"```ts\n(.*?)```", readme, re.DOTALL)
    assert shown, "clients/typescript/README.md has no ```ts block"
    assert shown[1] == (client.CLIENT / "examples" / "browser-session.ts").read_text()
