"""The layer's build follows the template's Architecture parameter."""

import subprocess

import pytest

from tests.conftest import ROOT


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
