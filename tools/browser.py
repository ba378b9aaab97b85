"""Chromium and its driver for the browser test: Debian's packages, installed when missing.

    python -m tools.browser     # found, or installed with apt-get; else exit 1 saying why

`make test` runs this first, so a fresh clone gets them; where they cannot be installed the
run stops here, loudly, instead of skipping the browser test. CHROMIUM and CHROMEDRIVER
name other binaries (another distribution, macOS).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

PACKAGES = ("chromium", "chromium-driver")


@dataclass(frozen=True)
class Browser:
    chromium: str
    chromedriver: str


def find() -> Browser | None:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    chromedriver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if chromium and chromedriver:
        return Browser(chromium, chromedriver)
    return None


def _install() -> str | None:
    """apt-get install the packages; None when done, else why it could not."""
    apt = shutil.which("apt-get")
    if apt is None:
        return "apt-get is not available here"
    prefix: list[str] = []
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if sudo is None:
            return "not root, and sudo is not available"
        prefix = [sudo, "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-q"], [apt, "install", "-y", "-q", *PACKAGES]):
        if subprocess.run([*prefix, *command], env=env, check=False).returncode != 0:
            return f"`{' '.join(command)}` failed"
    return None


def main() -> int:
    if find() is None:
        print(f"installing {' '.join(PACKAGES)} for the browser test", flush=True)
        reason = _install()
        if reason is not None or find() is None:
            print(
                f"The browser test needs Chromium and chromedriver ({reason or 'not found'}): "
                f"install Debian's {' and '.join(PACKAGES)}, or name the binaries in "
                "CHROMIUM and CHROMEDRIVER.",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
