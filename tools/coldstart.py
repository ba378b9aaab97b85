"""What a function's cold start imports: modules loaded and CPU time, each in a fresh interpreter.

CPU time (time.process_time) and the module count are what a shared, noisy machine measures
steadily; wall time there mostly measures the neighbours.

    python -m tools.coldstart [NAME...]     # per function: modules, CPU ms (source tree)
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "common"
FUNCTIONS = ROOT / "functions"

_PROBE = """
import importlib, json, sys, time
before = set(sys.modules)
cpu = time.process_time()
importlib.import_module(sys.argv[1])
cpu = time.process_time() - cpu
print(json.dumps({"cpu_s": cpu, "modules": sorted(set(sys.modules) - before)}))
"""


@dataclass(frozen=True)
class Probe:
    cpu_ms: float
    modules: frozenset[str]  # every module the import loaded, ours and third-party

    def has(self, name: str) -> bool:
        """Whether `name` or any of its submodules was loaded."""
        return any(module == name or module.startswith(f"{name}.") for module in self.modules)


@functools.cache
def _keys(python: str, layer: Path) -> dict[str, str]:
    """A throwaway key pair (functions refuse to start without keys), made by the layer."""
    env = {**os.environ, "PYTHONPATH": str(layer)}
    command = [python, "-m", "mdcreator.auth.keys"]
    lines = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in lines.splitlines())


def probe(
    function_dir: Path,
    layer: Path = LAYER,
    module: str = "app",
    python: str = sys.executable,
) -> Probe:
    """Import the function's handler module as Lambda does, in a fresh interpreter."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join((str(function_dir), str(layer))),
        # Bytecode is not written, as on Lambda's read-only /opt and /var/task.
        "PYTHONDONTWRITEBYTECODE": "1",
        "ENV": "development",
        **_keys(python, layer),
    }
    result = subprocess.run(
        [python, "-c", _PROBE, module],
        cwd=function_dir,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"{function_dir.name} does not import:\n{result.stderr[-2000:]}")
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    return Probe(cpu_ms=facts["cpu_s"] * 1000, modules=frozenset(facts["modules"]))


def measure(function_dir: Path, runs: int = 3, **kwargs: str | Path) -> tuple[int, float]:
    """Modules loaded and the median CPU ms of `runs` cold imports."""
    probes = [probe(function_dir, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    return len(probes[-1].modules), statistics.median(p.cpu_ms for p in probes)


def main(argv: list[str]) -> int:
    names = argv or sorted(path.name for path in FUNCTIONS.iterdir() if (path / "app.py").exists())
    sys.stdout.write(f"{'function':<24}{'modules':>8}{'cpu ms':>9}\n")
    for name in names:
        count, cpu_ms = measure(FUNCTIONS / name)
        sys.stdout.write(f"{name:<24}{count:>8}{cpu_ms:>9.0f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
