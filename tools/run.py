"""`make run`: the API on http://localhost:PORT in about two seconds on a used checkout, and
the reference page (web/) on http://localhost:WEB_PORT.

1. Settings: every setting (development profile, the page's address as APP_URL and among
   the SPA origins, then `.env`, then the shell) into `.emulator/env-PORT.json`, the
   `--env-vars` file the functions get; the gateway's CORS gets the same origins.
2. Postgres and Redis answer (local ones are started when down); the database exists. A
   local S3 API (moto's server) starts with its bucket unless S3_ENDPOINT_URL names one; the
   functions get fake AWS credentials for it, never the shell's.
3. Migrations run only when the database's alembic_version is not the scripts' head.
4. The emulator serves functions/ and layers/ from source with hot reload: no `sam build`.
   Where the Runtime Interface Emulator cannot run (it is a Linux program), the real
   `sam local start-api` serves instead, through Docker.
5. This process serves the page and waits for the API; a signal to it stops both.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tools.database import applied_revisions, connect, migrate, script_heads
from tools.moto import LOCAL_CREDENTIALS, MotoServer
from tools.services import (
    LOCAL_HOSTS,
    Endpoint,
    ServiceError,
    dev_urls,
    docker_answers,
    ensure_database,
    ensure_servers,
    redis_answers,
    tcp_answers,
)
from tools.settings import compose, every_setting, profile_values, read_dotenv, write_env_vars
from tools.web import serve_in_background

ROOT = Path(__file__).resolve().parents[1]
EMULATOR_DIR = ROOT / ".emulator"
SAM_VENV = ROOT / ".venv-sam" / "bin"
# Docker Desktop's name for the host, as seen from a container (env.json uses it too).
DOCKER_HOST_NAME = "host.docker.internal"
# The real SPA's dev server (Vite's default port): always an allowed origin in development.
SPA_DEV_SERVER = "http://localhost:5173"


@dataclass(frozen=True)
class Plan:
    """How the API is served: the command, and a line saying why when it is not the emulator."""

    argv: list[str]
    note: str = ""


def emulator_supported(system: str) -> bool:
    """SAM CLI's aws-lambda-rie binaries are Linux executables (x86_64 and arm64)."""
    return system == "Linux"


def plan(
    system: str, docker: bool, port: int, env_vars: Path, cors_origins: str = SPA_DEV_SERVER
) -> Plan:
    # The gateway's CORS allows exactly the origins the functions accept cookies from.
    overrides = ["--parameter-overrides", f"CorsOrigins={cors_origins}"]
    if emulator_supported(system):
        return Plan(
            [str(SAM_VENV / "python"), "-m", "emulator", "start-api", "--from-source",
             "--warm-containers", "EAGER", "--env-vars", str(env_vars),
             "--host", "127.0.0.1", "--port", str(port), *overrides]
        )  # fmt: skip
    if not docker:
        raise ServiceError(
            f"The Runtime Interface Emulator runs on Linux only, not on {system}, and Docker "
            "does not answer here: start Docker (Desktop) for `sam local start-api`."
        )
    return Plan(
        [str(SAM_VENV / "sam"), "local", "start-api", "--env-vars", str(env_vars),
         "--warm-containers", "EAGER", "--host", "127.0.0.1", "--port", str(port), *overrides],
        note=f"The Runtime Interface Emulator runs on Linux only, not on {system}: serving "
        "through the real `sam local start-api` (Docker) instead, after `sam build`.",
    )  # fmt: skip


def page_settings(web_port: int) -> dict[str, str]:
    """The reference page as the SPA of development: mail links open it, and it and the SPA's
    dev server are the origins whose requests may use the refresh cookie."""
    page_url = f"http://localhost:{web_port}"
    origins = dict.fromkeys([SPA_DEV_SERVER, page_url])
    return {"APP_URL": page_url, "CORS_ORIGINS": ",".join(origins)}


def for_containers(values: Mapping[str, str], urls: Sequence[str]) -> dict[str, str]:
    """DATABASE_URL and REDIS_URL as a container reaches this machine's services."""
    out = dict(values)
    for name, url in zip(("DATABASE_URL", "REDIS_URL"), urls, strict=True):
        parts = urlsplit(url)
        if parts.hostname in LOCAL_HOSTS:
            netloc = parts.netloc.rsplit("@", 1)
            host_port = netloc[-1].replace(parts.hostname or "", DOCKER_HOST_NAME, 1)
            netloc[-1] = host_port
            out[name] = urlunsplit(parts._replace(netloc="@".join(netloc)))
    return out


def migrate_if_pending(database_url: str) -> None:
    import psycopg2

    try:
        connection = connect(database_url, timeout=2)
    except psycopg2.OperationalError:
        ensure_database(database_url)
        connection = connect(database_url, timeout=2)
    with closing(connection):
        applied = applied_revisions(connection)
    heads = script_heads()
    if applied != heads:
        print(f"migrating {sorted(applied) or 'an empty database'} to {sorted(heads)}")
        migrate(database_url)


def prepare(
    dotenv: Path, environ: Mapping[str, str], web_port: int = 5174
) -> tuple[dict[str, str], str, str]:
    """The settings, and the services they name ready: (values, database URL, Redis URL)."""
    file_values = read_dotenv(dotenv) if dotenv.is_file() else {}
    profile = {**profile_values("development"), **page_settings(web_port)}
    values = every_setting(compose(profile, file_values, environ))
    database_url, redis_url = dev_urls(values)
    if not tcp_answers(Endpoint.of(database_url, 5432)) or not redis_answers(redis_url):
        ensure_servers(database_url, redis_url)
    migrate_if_pending(database_url)
    return values, database_url, redis_url


def start_local_s3(values: dict[str, str]) -> MotoServer | None:
    """A local S3 with the bucket, unless the settings name an endpoint of their own; the
    settings then point at it. None when one was named."""
    if values.get("S3_ENDPOINT_URL"):
        return None
    server = MotoServer().start()
    bucket = values.get("S3_BUCKET") or "mdcreator-attachments"
    server.ensure_bucket(bucket)
    values.update(S3_ENDPOINT_URL=server.url, S3_BUCKET=bucket)
    print(f"local S3 (moto) on {server.url}, bucket {bucket}")
    return server


def serve_api(argv: list[str], env: Mapping[str, str] | None = None) -> int:
    """Run the API server until it exits; SIGTERM and SIGHUP to this process reach it too
    (Ctrl-C reaches both from the terminal)."""
    child = subprocess.Popen(argv, cwd=ROOT, env=None if env is None else dict(env))

    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, forward)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            continue  # the child got the same SIGINT; wait for it to finish


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run", description=__doc__)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--web-port", type=int, default=5174)
    parser.add_argument("--dotenv", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    env_vars = EMULATOR_DIR / f"env-{args.port}.json"
    try:
        values, database_url, redis_url = prepare(args.dotenv, os.environ, args.web_port)
        system = platform.system()
        supported = emulator_supported(system)
        docker = supported or docker_answers()
        served = plan(system, docker, args.port, env_vars, values["CORS_ORIGINS"])
    except ServiceError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        s3 = start_local_s3(values)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        return _serve(args, values, served, supported, env_vars, database_url, redis_url)
    finally:
        if s3 is not None:
            s3.stop()


def _serve(
    args: argparse.Namespace,
    values: dict[str, str],
    served: Plan,
    supported: bool,
    env_vars: Path,
    database_url: str,
    redis_url: str,
) -> int:
    if not supported:
        values = for_containers(values, (database_url, redis_url))
    write_env_vars(env_vars, values)
    if shutil.which(served.argv[0]) is None:
        print(f"{served.argv[0]} is missing: run `make venv`", file=sys.stderr)
        return 1
    if served.note:
        print(served.note)
        build = [str(SAM_VENV / "sam"), "build", "--cached", "--parallel"]
        if subprocess.call(build, cwd=ROOT) != 0:
            return 1
    api_url = f"http://localhost:{args.port}"
    try:
        page = serve_in_background("127.0.0.1", args.web_port, api_url)
    except OSError as exc:
        print(f"the reference page cannot listen on port {args.web_port}: {exc}", file=sys.stderr)
        return 1
    print(f"serving on {api_url}", flush=True)
    print(f"reference page (web/) on http://localhost:{args.web_port}", flush=True)
    try:
        # The emulator hands its own AWS variables to the functions: fake ones for moto.
        return serve_api(served.argv, {**os.environ, **LOCAL_CREDENTIALS})
    finally:
        page.shutdown()
        page.server_close()


if __name__ == "__main__":
    sys.exit(main())
