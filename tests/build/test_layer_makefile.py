"""layers/common/Makefile builds the layer whatever `strip` the machine has, or none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

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
