"""layers/common/Makefile builds the layer whatever `strip` the machine has, or none, with
the wheels of the template's Architecture parameter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

# What Apple's strip answers to a GNU option (and it cannot read ELF files either).
APPLE_STRIP = "#!/bin/sh\necho \"error: strip: unknown argument '--strip-unneeded'\" >&2\nexit 1\n"


def _bin_dir(tmp_path: Path, *, fake_strip: bool) -> Path:
    """A PATH folder with what the recipe runs besides Python, and strip as asked."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("find", "rm", "cp", "grep"):
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    if fake_strip:
        (folder / "strip").write_text(APPLE_STRIP)
        (folder / "strip").chmod(0o755)
    return folder


@pytest.mark.parametrize("fake_strip", [True, False], ids=["apple-strip", "no-strip"])
def test_layer_builds_without_gnu_strip(tmp_path: Path, fake_strip: bool) -> None:
    artifacts = tmp_path / "layer"
    result = subprocess.run(
        [shutil.which("make") or "make", "-C", str(ROOT / "layers" / "common"),
         "build-CommonLayer", f"ARTIFACTS_DIR={artifacts}", f"PYTHON={sys.executable}"],
        env={"PATH": str(_bin_dir(tmp_path, fake_strip=fake_strip)), "HOME": os.environ["HOME"]},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert (artifacts / "python" / "mdcreator" / "core" / "config.py").is_file()
    assert list((artifacts / "python").glob("pydantic_core/_pydantic_core*.so"))


@pytest.mark.parametrize(
    ("architecture", "platforms"),
    [
        ("x86_64", ["manylinux2014_x86_64"]),
        ("arm64", ["manylinux_2_28_aarch64", "manylinux2014_aarch64"]),
    ],
)
def test_layer_wheels_follow_the_architecture(architecture: str, platforms: list[str]) -> None:
    # What `sam build` would run for the template's Architecture (dry run: no download).
    result = subprocess.run(
        ["make", "-s", "-n", "-C", str(ROOT / "layers" / "common"), "build-CommonLayer",
         f"ARCHITECTURE={architecture}", "ARTIFACTS_DIR=/nonexistent"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    pip = next(line for line in result.stdout.splitlines() if "--platform" in line)
    assert (
        pip.split("--platform ")[1:]
        and [part.split()[0] for part in pip.split("--platform ")[1:]] == platforms
    )
