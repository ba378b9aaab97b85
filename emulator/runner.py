"""The template's functions on the pool: their environment as in Lambda, invoked by key."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from emulator.errors import PayloadTooLarge
from emulator.runtime import FunctionSpec, Pool

if TYPE_CHECKING:
    from emulator.layers import LayerResolver
    from emulator.template import Function, Project

LOG = logging.getLogger(__name__)
# Lambda refuses synchronous invocations whose event is larger.
MAX_EVENT_BYTES = 6 * 1024 * 1024


class Runner:
    """Builds each function's FunctionSpec once and invokes it on the pool."""

    def __init__(
        self,
        project: Project,
        pool: Pool,
        layers: LayerResolver,
        runtime_python: Path,
        pycache: Path,
    ) -> None:
        self.project = project
        self._pool = pool
        self._layers = layers
        self._runtime_python = runtime_python
        self._pycache = pycache
        self._specs: dict[str, FunctionSpec] = {}
        self._lock = threading.Lock()

    def invoke(self, key: str, event: bytes) -> bytes:
        if len(event) > MAX_EVENT_BYTES:
            raise PayloadTooLarge(key, b"event larger than Lambda's 6 MB invocation payload")
        return self._pool.invoke(key, lambda: self.spec(key), event)

    def prewarm(self, keys: Iterable[str], workers: int) -> ThreadPoolExecutor:
        """Start one environment of each function, `workers` at a time (in the background)."""
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="warm")
        for key in keys:
            executor.submit(self._pool.prewarm, key, lambda key=key: self.spec(key))
        executor.shutdown(wait=False)
        return executor

    def spec(self, key: str) -> FunctionSpec:
        with self._lock:
            if key not in self._specs:
                self._specs[key] = self._make_spec(self.project.functions[key])
            return self._specs[key]

    def _make_spec(self, function: Function) -> FunctionSpec:
        layer_dirs = tuple(
            path for layer in function.layers for path in self._layers.python_dirs(layer)
        )
        return FunctionSpec(
            name=function.name,
            handler=function.handler,
            task_root=function.code_dir,
            env=self._environment(function, layer_dirs),
            timeout=function.timeout,
        )

    def _environment(self, function: Function, layer_dirs: tuple[str, ...]) -> dict[str, str]:
        """As in Lambda's python3.12 image; nothing of the emulator's own environment leaks in."""
        runtime_bin = self._runtime_python.parent
        env = {
            "PATH": f"{runtime_bin}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": function.code_dir,
            "LAMBDA_RUNTIME_DIR": str(runtime_bin.parent),
            "_HANDLER": function.handler,
            "PYTHONPATH": os.pathsep.join(layer_dirs),
            # Bytecode out of the code folders (read-only on Lambda; the hot reload watches them),
            # but cached: `sam build` ships no .pyc, and compiling the layer costs seconds per init.
            "PYTHONPYCACHEPREFIX": str(self._pycache),
        }
        env.update(function.env)
        return env
