"""Cold init of each function from the sam build artifacts, next to its dependency floor.

    .venv-runtime/bin/python scripts/bench_cold.py [--runs 5] [--build-dir .aws-sam/build]

Each sample is a fresh interpreter (the runtime venv: awslambdaric only, as Lambda's image)
with PYTHONPATH = function code + layer python/, importing the handler module. The floor is
the same interpreter importing, in the same order, every third-party module that function
ends up loading (fastapi, mangum, sqlalchemy, psycopg2, redis, jwt, bcrypt... and their
submodules) and nothing of ours: the ratio is what our own code adds to a cold start.
Bytecode is not written, as on Lambda's read-only /opt and /var/task. Beside the wall times,
the modules the import loads and its CPU time (tools.coldstart): on a shared machine those
two hold still where wall time follows the neighbours.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import coldstart  # noqa: E402

OWN_PACKAGES = {"mdcreator", "app", "handler", "migrations"}

_PROBE = """
import json, sys, time
start = time.perf_counter()
import importlib; importlib.import_module(sys.argv[1])
elapsed = time.perf_counter() - start
roots = tuple(sys.argv[2:])
# Every third-party module the function loaded, in load order (sys.modules keeps it).
third_party = [
    name for name, module in list(sys.modules.items())
    if (getattr(module, "__file__", None) or "").startswith(roots)
]
print(json.dumps({"seconds": elapsed, "packages": third_party}))
"""

_FLOOR = """
import sys, time
start = time.perf_counter()
for name in sys.argv[1].split(","):
    __import__(name)
print(time.perf_counter() - start)
"""


@functools.lru_cache
def _keys(layer: Path) -> dict[str, str]:
    """A throwaway key pair (functions refuse to start without keys), made by the layer."""
    env = {**os.environ, "PYTHONPATH": str(layer)}
    lines = subprocess.run(
        [sys.executable, "-m", "mdcreator.auth.keys"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return dict(line.split("=", 1) for line in lines)


def _run(code: str, args: list[str], pythonpath: list[Path]) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(path) for path in pythonpath),
        "PYTHONDONTWRITEBYTECODE": "1",
        "ENV": "development",
        **_keys(pythonpath[-1]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def measure(function_dir: Path, layer: Path, module: str, runs: int) -> dict[str, object]:
    paths = [function_dir, layer]
    cold, packages = [], []
    for _ in range(runs):
        probe = json.loads(_run(_PROBE, [module, str(layer), str(function_dir)], paths))
        cold.append(probe["seconds"])
        packages = [name for name in probe["packages"] if name.split(".")[0] not in OWN_PACKAGES]
    floor = [float(_run(_FLOOR, [",".join(packages)], paths)) for _ in range(runs)]
    cold_ms, floor_ms = statistics.median(cold) * 1000, statistics.median(floor) * 1000
    probes = [coldstart.probe(function_dir, layer, module) for _ in range(runs)]
    return {
        "cold_ms": cold_ms,
        "floor_ms": floor_ms,
        "ratio": cold_ms / floor_ms,
        "modules": len(probes[-1].modules),
        "cpu_ms": statistics.median(p.cpu_ms for p in probes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build-dir", type=Path, default=ROOT / ".aws-sam" / "build")
    args = parser.parse_args()
    layer = args.build_dir / "CommonLayer" / "python"
    print(
        f"{'function':<24}{'cold init ms':>14}{'deps floor ms':>15}{'ratio':>8}"
        f"{'modules':>9}{'cpu ms':>8}"
    )
    for function_dir in sorted(args.build_dir.glob("*Function")):
        module = "app" if (function_dir / "app.py").exists() else "handler"
        result = measure(function_dir, layer, module, args.runs)
        print(
            f"{function_dir.name:<24}{result['cold_ms']:>14.0f}"
            f"{result['floor_ms']:>15.0f}{result['ratio']:>8.2f}"
            f"{result['modules']:>9}{result['cpu_ms']:>8.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
