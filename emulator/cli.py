"""`python -m emulator start-api | invoke`: SAM's `sam local` commands without Docker."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from emulator.errors import EmulatorError, InvokeFailure
from emulator.template import load_env_vars, load_project

if TYPE_CHECKING:
    from socket import socket

    from watchdog.observers.api import BaseObserver

    from emulator.gateway import HttpApi
    from emulator.layers import LayerResolver
    from emulator.runner import Runner
    from emulator.runtime import Pool
    from emulator.template import Project

LOG = logging.getLogger("emulator")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUILD_DIR = Path(".aws-sam/build")


class Shutdown(BaseException):
    """SIGINT/SIGTERM: unwinds the main thread so that every `finally` cleans up."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-t", "--template", type=Path, help="template (default: BUILD_DIR/template.yaml)"
    )
    common.add_argument(
        "--build-dir", type=Path, help=f"sam build output (default: {DEFAULT_BUILD_DIR})"
    )
    common.add_argument(
        "--from-source", action="store_true", help="code from CodeUri folders, no sam build"
    )
    common.add_argument(
        "-n", "--env-vars", type=Path, help="SAM env.json with per-function/Parameters values"
    )
    common.add_argument("--parameter-overrides", nargs="+", default=[], metavar="KEY=VALUE")
    common.add_argument(
        "--runtime-python", type=Path, default=REPO_ROOT / ".venv-runtime" / "bin" / "python"
    )
    common.add_argument("--cache-dir", type=Path, default=REPO_ROOT / ".emulator")
    common.add_argument(
        "--max-envs", type=int, default=4, help="execution environments per function"
    )
    common.add_argument("--log-level", default="INFO")

    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    api = commands.add_parser("start-api", parents=[common], help="serve the template's HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("-p", "--port", type=int, default=3000)
    api.add_argument(
        "--idle-timeout", type=float, default=600.0, help="seconds before an idle env is reaped"
    )
    api.add_argument(
        "--no-reload", action="store_true", help="with --from-source: do not watch the code"
    )
    api.add_argument(
        "--warm-containers",
        type=str.upper,
        choices=["EAGER", "LAZY"],
        default="LAZY",
        help="EAGER: one environment of every function at launch; LAZY: on first use",
    )
    api.set_defaults(run=start_api)
    invoke = commands.add_parser("invoke", parents=[common], help="invoke one function once")
    invoke.add_argument("function", help="function logical id")
    invoke.add_argument(
        "-e", "--event", type=Path, help="event JSON file ('-' for stdin; default {})"
    )
    invoke.set_defaults(run=invoke_function, idle_timeout=600.0, warm_containers="LAZY")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args.log_level)
    _install_signal_handlers()
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except EmulatorError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    except Shutdown:
        return 0


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        stream=sys.stderr, level=level.upper(), format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in ("samcli", "watchdog", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _install_signal_handlers() -> None:
    def stop(signum: int, _frame: FrameType | None) -> None:
        # Once: a second signal must not interrupt the cleanup.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Shutdown(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


@dataclass
class Emulation:
    project: Project
    layers: LayerResolver
    pool: Pool
    runner: Runner


def _template_path(args: argparse.Namespace) -> Path:
    if args.template is not None:
        return Path(args.template)
    if args.from_source:
        return Path("template.yaml")
    build_dir = args.build_dir or DEFAULT_BUILD_DIR
    template = build_dir / "template.yaml"
    if not template.is_file():
        raise EmulatorError(f"no build in {build_dir} (run `sam build`, or use --from-source)")
    return template


@contextmanager
def emulation(args: argparse.Namespace) -> Iterator[Emulation]:
    """Load the template, resolve layers, start an empty pool; on exit stop every process."""
    template = _template_path(args)
    # Absolute (environments run in their task root) but not resolved: a venv's python is a symlink.
    args.runtime_python = Path(os.path.abspath(args.runtime_python))
    args.cache_dir = Path(os.path.abspath(args.cache_dir))
    if not args.runtime_python.is_file():
        raise EmulatorError(f"runtime python not found: {args.runtime_python} (run `make venv`)")
    env_vars = load_env_vars(args.env_vars)

    from emulator.layers import LayerResolver
    from emulator.runner import Runner
    from emulator.runtime import Pool

    project = load_project(template, args.parameter_overrides, env_vars, args.cache_dir)
    layers = LayerResolver(args.from_source, args.cache_dir, args.runtime_python)
    for function in project.functions.values():
        for layer in function.layers:
            layers.python_dirs(layer)  # installs source-mode deps now, not under a request
    pool = Pool(args.runtime_python, max_per_function=args.max_envs, idle_timeout=args.idle_timeout)
    try:
        runner = Runner(project, pool, layers, args.runtime_python, args.cache_dir / "pycache")
        if args.warm_containers == "EAGER":
            runner.prewarm(_route_order(project), workers=_warm_up_workers())
        yield Emulation(project, layers, pool, runner)
    finally:
        pool.close()


def _warm_up_workers() -> int:
    """Environments initialised at once: all cores but one, which stays free for requests."""
    return max(1, (os.cpu_count() or 2) - 1)


def _route_order(project: Project) -> list[str]:
    """Functions behind routes first, in template order, then the rest."""
    keys = list(dict.fromkeys(route.function for route in project.routes))
    return keys + [key for key in project.functions if key not in keys]


def start_api(args: argparse.Namespace) -> int:
    from emulator.server import listen

    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise EmulatorError(f"port {args.port} on {args.host} is already in use") from exc
        raise EmulatorError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
    with sock, emulation(args) as emu:
        _serve(args, emu, sock)
    return 0


def _http_api(emu: Emulation) -> HttpApi:
    from emulator.gateway import HttpApi

    project = emu.project
    if not project.routes:
        raise EmulatorError(f"no API routes in {project.template}")
    if project.unsupported:
        raise EmulatorError(
            "the emulator serves HTTP API (HttpApi) routes with payload format 2.0 and no "
            "authorizer; not: " + "; ".join(project.unsupported)
        )
    return HttpApi(project.routes, project.cors, emu.runner.invoke)


def _serve(args: argparse.Namespace, emu: Emulation, sock: socket) -> None:
    from emulator.server import serve_forever

    api = _http_api(emu)
    observer = (
        _watch(emu, args.warm_containers == "EAGER")
        if args.from_source and not args.no_reload
        else None
    )
    for route in api.routes:
        LOG.info("Mounting %s at http://%s:%d %s", route.function, args.host, args.port, route.key)
    LOG.info("Serving on http://%s:%d (SIGINT/SIGTERM to stop)", args.host, args.port)
    try:
        serve_forever(sock, api.handle)
    finally:
        if observer is not None:
            observer.stop()


def _watch(emu: Emulation, eager: bool) -> BaseObserver:
    from emulator.reload import watch

    roots: dict[str, set[str]] = {}
    for function in emu.project.functions.values():
        roots.setdefault(function.code_dir, set()).add(function.key)
        for layer in function.layers:
            for root in emu.layers.watch_roots(layer):
                roots.setdefault(root, set()).add(function.key)

    def restart(keys: set[str]) -> None:
        emu.pool.invalidate(keys)
        if eager:
            emu.runner.prewarm(sorted(keys), workers=_warm_up_workers())

    return watch(roots, restart)


def invoke_function(args: argparse.Namespace) -> int:
    event = _read_event(args.event)
    with emulation(args) as emu:
        if args.function not in emu.project.functions:
            known = ", ".join(emu.project.function_ids())
            raise EmulatorError(
                f"function {args.function!r} not found in the template (known: {known})"
            )
        try:
            output = emu.runner.invoke(args.function, event.encode())
        except InvokeFailure as failure:
            sys.stdout.write(failure.body.decode("utf-8", "replace") + "\n")
            raise EmulatorError(str(failure)) from failure
    sys.stdout.write(output.decode("utf-8", "replace") + "\n")
    return 0


def _read_event(path: Path | None) -> str:
    if path is None:
        return "{}"
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text()
        json.loads(text)
    except OSError as exc:
        raise EmulatorError(f"cannot read event {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise EmulatorError(f"event {path} is not JSON: {exc}") from exc
    return text
