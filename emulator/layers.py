"""Where a layer's /opt/python is: a `sam build` artifact, or its source plus pip-installed deps."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from emulator.errors import EmulatorError

if TYPE_CHECKING:
    from emulator.template import Layer

LOG = logging.getLogger(__name__)


class LayerResolver:
    """Maps a layer of the template to the folders that play /opt/python for it."""

    def __init__(self, from_source: bool, cache_dir: Path, runtime_python: Path) -> None:
        self._from_source = from_source
        self._cache_dir = cache_dir
        self._runtime_python = runtime_python
        self._resolved: dict[str, tuple[str, ...]] = {}

    def python_dirs(self, layer: Layer) -> tuple[str, ...]:
        if layer.codeuri is None:
            raise EmulatorError(
                f"layer {layer.name} has no local ContentUri (remote layers are not supported)"
            )
        if layer.full_path not in self._resolved:
            self._resolved[layer.full_path] = self._resolve(layer)
        return self._resolved[layer.full_path]

    def _resolve(self, layer: Layer) -> tuple[str, ...]:
        root = Path(layer.codeuri)
        # A built layer (and a source one laid out for Lambda) has its content in python/.
        content = root / "python" if (root / "python").is_dir() else root
        if not self._from_source:
            return (str(content),)
        # From source, what `sam build` would add: the layer's requirements, pip-installed.
        deps = self.install_deps(root / "requirements.txt")
        return (str(content),) + ((str(deps),) if deps else ())

    def install_deps(self, requirements: Path) -> Path | None:
        """`pip install --target` the layer's requirements once, cached by the file's hash."""
        if not requirements.is_file() or not requirements.read_text().strip():
            return None
        digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
        target = self._cache_dir / "layer-deps" / digest
        if target.is_dir():
            return target
        LOG.info("installing %s into %s (once)", requirements, target)
        partial = target.with_name(digest + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        command = [
            str(self._runtime_python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
        command += ["--no-input", "--target", str(partial), "-r", str(requirements)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise EmulatorError(f"installing {requirements} failed: {last}")
        partial.rename(target)
        return target

    def watch_roots(self, layer: Layer) -> list[str]:
        """Folders whose changes restart the layer's users (not the pip-installed deps)."""
        return [
            path for path in self.python_dirs(layer) if not path.startswith(str(self._cache_dir))
        ]
