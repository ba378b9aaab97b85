"""Postgres and Redis for the local loop, checked and prepared in Python (no client tools).

    python -m tools.services [--dotenv .env]   # servers answer; DATABASE_URL's role + db exist
    python -m tools.services --test            # servers answer; TEST_DATABASE_URL may CREATEDB

A server that does not answer on this machine is started: the locally installed one, else
`docker compose up -d --wait`. A missing role or database is created through an admin
connection (`POSTGRES_ADMIN_URL`, default the local `postgres` superuser) when there is one,
as docker-compose.yml would have made them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from tools.database import connect, database_name, url_for_tests

if TYPE_CHECKING:
    from psycopg2.extensions import connection as Connection

ROOT = Path(__file__).resolve().parents[1]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"
START_TIMEOUT_S = 20.0


class ServiceError(RuntimeError):
    """A service that does not answer, or a database that cannot be prepared; says what to do."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @classmethod
    def of(cls, url: str, default_port: int) -> Endpoint:
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or default_port)

    @property
    def local(self) -> bool:
        return self.host in LOCAL_HOSTS

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def tcp_answers(endpoint: Endpoint, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    """PING (after AUTH when the URL has credentials) answers PONG."""
    parts = urlsplit(url)
    endpoint = Endpoint.of(url, 6379)
    command = b"PING\r\n"
    if parts.password:
        words = [b"AUTH", *([unquote(parts.username).encode()] if parts.username else [])]
        words.append(unquote(parts.password).encode())
        command = _resp(words) + command
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout) as raw:
            sock = (
                ssl.create_default_context().wrap_socket(raw, server_hostname=endpoint.host)
                if parts.scheme == "rediss"
                else raw
            )
            sock.sendall(command)
            return b"+PONG" in _read_replies(sock, 2 if parts.password else 1)
    except OSError:
        return False


def _resp(words: list[bytes]) -> bytes:
    out = b"*%d\r\n" % len(words)
    for word in words:
        out += b"$%d\r\n%s\r\n" % (len(word), word)
    return out


def _read_replies(sock: socket.socket, count: int) -> bytes:
    data = b""
    while data.count(b"\r\n") < count:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _wait(check: object, timeout: float = START_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def _run_quietly(command: list[str]) -> bool:
    try:
        result = subprocess.run(command, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def start_local_postgres() -> bool:
    clusters = Path("/etc/postgresql")
    if not shutil.which("pg_ctlcluster") or not clusters.is_dir():
        return False
    versions = sorted(path.name for path in clusters.iterdir() if (path / "main").is_dir())
    if not versions:
        return False
    print(f"starting the local PostgreSQL {versions[-1]} cluster")
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"]
    return _run_quietly(command)


def start_local_redis(endpoint: Endpoint) -> bool:
    if not shutil.which("redis-server"):
        return False
    print("starting the local Redis server")
    return _run_quietly(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
         "--port", str(endpoint.port), "--save", "", "--appendonly", "no"]
    )  # fmt: skip


def docker_answers() -> bool:
    return bool(shutil.which("docker")) and _run_quietly(["docker", "info"])


def compose_up() -> bool:
    print("starting Postgres and Redis with docker compose")
    try:
        return subprocess.run(["docker", "compose", "up", "-d", "--wait"], cwd=ROOT).returncode == 0
    except OSError:
        return False


def ensure_servers(database_url: str, redis_url: str) -> None:
    """Both servers answer, starting local ones (or compose's) where they do not."""
    postgres = Endpoint.of(database_url, 5432)
    redis = Endpoint.of(redis_url, 6379)
    if not tcp_answers(postgres) and postgres.local and start_local_postgres():
        _wait(lambda: tcp_answers(postgres))
    if not redis_answers(redis_url) and redis.local and start_local_redis(redis):
        _wait(lambda: redis_answers(redis_url))
    down = not tcp_answers(postgres) or not redis_answers(redis_url)
    if down and (postgres.local or redis.local) and docker_answers() and compose_up():
        _wait(lambda: tcp_answers(postgres) and redis_answers(redis_url))
    hint = "run `docker compose up -d --wait` or start your local server"
    if not tcp_answers(postgres):
        raise ServiceError(f"PostgreSQL does not answer on {postgres}: {hint}")
    if not redis_answers(redis_url):
        raise ServiceError(f"Redis does not answer at {redis} ({redact(redis_url)}): {hint}")


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def ensure_database(url: str, *, createdb: bool = False) -> None:
    """URL's role logs in and its database exists (and, with createdb, it may create others)."""
    import psycopg2

    try:
        with closing(connect(url)) as connection:
            if not createdb or _may_create_databases(connection):
                return
            problem = "its role may not create databases (needs CREATEDB)"
    except psycopg2.OperationalError as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    admin_url = admin_url_for(url)
    try:
        admin = connect(admin_url)
    except psycopg2.Error:
        raise ServiceError(
            f"{redact(url)}: {problem}; and no admin connection ({redact(admin_url)}) to "
            "fix it: create the role and database, or set POSTGRES_ADMIN_URL"
        ) from None
    with closing(admin):
        _create_role_and_database(admin, url, createdb=createdb)


def admin_url_for(url: str) -> str:
    given = os.environ.get("POSTGRES_ADMIN_URL")
    if given:
        return given
    endpoint = Endpoint.of(url, 5432)
    return f"postgresql://postgres@{endpoint.host}:{endpoint.port}/postgres"


def _may_create_databases(connection: Connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _create_role_and_database(admin: Connection, url: str, *, createdb: bool) -> None:
    from psycopg2 import sql

    parts = urlsplit(url)
    role = unquote(parts.username or "postgres")
    password = unquote(parts.password) if parts.password else None
    name = database_name(url)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        options = sql.SQL("LOGIN CREATEDB" if createdb else "LOGIN")
        statement = sql.SQL("{} ROLE {} {}").format(sql.SQL(verb), sql.Identifier(role), options)
        if password is not None:
            statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
        cursor.execute(statement)
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if not cursor.fetchone():
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(role)
                )
            )
    print(f"role {role} and database {name} ready on {Endpoint.of(url, 5432)}")


def redis_url_for_tests() -> str:
    return os.environ.get("TEST_REDIS_URL") or DEFAULT_TEST_REDIS_URL


def dev_urls(values: Mapping[str, str]) -> tuple[str, str]:
    """DATABASE_URL and REDIS_URL of composed settings, Settings' defaults where unset."""
    from tools.settings import default

    urls = []
    for name in ("DATABASE_URL", "REDIS_URL"):
        url = values.get(name) or default(name) or ""
        if not url:
            raise ServiceError(f"{name} is not set: give it in .env or the shell")
        urls.append(url)
    return urls[0], urls[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.services", description=__doc__)
    parser.add_argument("--test", action="store_true", help="the tests' services")
    parser.add_argument("--dotenv", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    try:
        if args.test:
            database_url, redis_url = url_for_tests(), redis_url_for_tests()
        else:
            from tools.settings import compose, read_dotenv

            dotenv = read_dotenv(args.dotenv) if args.dotenv.is_file() else {}
            database_url, redis_url = dev_urls(compose(dotenv=dotenv))
        ensure_servers(database_url, redis_url)
        ensure_database(database_url, createdb=args.test)
    except ServiceError as exc:
        print(f"{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
