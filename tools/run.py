"""`make run`: the API on http://localhost:PORT in about two seconds on a used checkout.

1. Settings: every setting (development profile, then `.env`, then the shell) into
   `.emulator/env-PORT.json`, the `--env-vars` file the functions get.
2. Postgres and Redis answer (local ones are started when down); the database exists.
3. Migrations run only when the database's alembic_version is not the scripts' head.
4. The emulator serves functions/ and layers/ from source with hot reload: no `sam build`.
   Where the Runtime Interface Emulator cannot run (it is a Linux program), the real
   `sam local start-api` serves instead, through Docker.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tools.database import applied_revisions, connect, migrate, script_heads
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

ROOT = Path(__file__).resolve().parents[1]
EMULATOR_DIR = ROOT / ".emulator"
SAM_VENV = ROOT / ".venv-sam" / "bin"
# Docker Desktop's name for the host, as seen from a container (env.json uses it too).
DOCKER_HOST_NAME = "host.docker.internal"


@dataclass(frozen=True)
class Plan:
    """How the API is served: the command, and a line saying why when it is not the emulator."""

    argv: list[str]
    note: str = ""


def emulator_supported(system: str) -> bool:
    """SAM CLI's aws-lambda-rie binaries are Linux executables (x86_64 and arm64)."""
    return system == "Linux"


def plan(system: str, docker: bool, port: int, env_vars: Path) -> Plan:
    if emulator_supported(system):
        return Plan(
            [str(SAM_VENV / "python"), "-m", "emulator", "start-api", "--from-source",
             "--warm-containers", "EAGER", "--env-vars", str(env_vars),
             "--host", "127.0.0.1", "--port", str(port)]
        )  # fmt: skip
    if not docker:
        raise ServiceError(
            f"The Runtime Interface Emulator runs on Linux only, not on {system}, and Docker "
            "does not answer here: start Docker (Desktop) for `sam local start-api`."
        )
    return Plan(
        [str(SAM_VENV / "sam"), "local", "start-api", "--env-vars", str(env_vars),
         "--warm-containers", "EAGER", "--host", "127.0.0.1", "--port", str(port)],
        note=f"The Runtime Interface Emulator runs on Linux only, not on {system}: serving "
        "through the real `sam local start-api` (Docker) instead, after `sam build`.",
    )  # fmt: skip


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


def prepare(dotenv: Path, environ: Mapping[str, str]) -> tuple[dict[str, str], str, str]:
    """The settings, and the services they name ready: (values, database URL, Redis URL)."""
    file_values = read_dotenv(dotenv) if dotenv.is_file() else {}
    values = every_setting(compose(profile_values("development"), file_values, environ))
    database_url, redis_url = dev_urls(values)
    if not tcp_answers(Endpoint.of(database_url, 5432)) or not redis_answers(redis_url):
        ensure_servers(database_url, redis_url)
    migrate_if_pending(database_url)
    return values, database_url, redis_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run", description=__doc__)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--dotenv", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    env_vars = EMULATOR_DIR / f"env-{args.port}.json"
    try:
        values, database_url, redis_url = prepare(args.dotenv, os.environ)
        system = platform.system()
        supported = emulator_supported(system)
        served = plan(system, supported or docker_answers(), args.port, env_vars)
    except ServiceError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not supported:
        values = for_containers(values, (database_url, redis_url))
    write_env_vars(env_vars, values)
    if served.note:
        print(served.note)
        build = [str(SAM_VENV / "sam"), "build", "--cached", "--parallel"]
        if os.spawnv(os.P_WAIT, build[0], build) != 0:
            return 1
    print(f"serving on http://localhost:{args.port}", flush=True)
    os.chdir(ROOT)
    if shutil.which(served.argv[0]) is None:
        print(f"{served.argv[0]} is missing: run `make venv`", file=sys.stderr)
        return 1
    os.execv(served.argv[0], served.argv)


if __name__ == "__main__":
    sys.exit(main())
