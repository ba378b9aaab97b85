"""A private PostgreSQL server (initdb + pg_ctl in a folder of its own), never the machine's.

Tests stop and start one to see a dependency die; CI runs the whole suite against one whose
role is an ordinary, password-authenticated one, as on compose or a managed database:

    python -m tools.pgserver start DIR [--auth scram-sha-256] [--role NAME:PASSWORD]  # prints URL
    python -m tools.pgserver stop DIR
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from tools.ports import free_port

SUPERUSER = "postgres"
STATE_FILE = "server.json"


class ServerBinariesMissing(RuntimeError):
    """initdb/pg_ctl are not installed."""


def postgres_bindir() -> Path | None:
    # Debian's real binaries first: /usr/bin/pg_ctl and friends are wrapper scripts there.
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    found = candidates[0] if candidates else shutil.which("pg_ctl")
    return Path(found).parent if found else None


class PostgresServer:
    """initdb + pg_ctl in `root`; as root the server runs as the `postgres` system user."""

    def __init__(
        self, root: Path | None = None, *, auth: str = "trust", port: int | None = None
    ) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            raise ServerBinariesMissing("PostgreSQL server binaries (initdb, pg_ctl) are missing")
        self.bindir = bindir
        # Not under a test's tmp_path by default: the `postgres` user could not reach it there.
        self.root = root or Path(tempfile.mkdtemp(prefix="mdc-pg-"))
        self.data = self.root / "data"
        self.port = port or free_port()
        self.auth = auth
        self.password = os.urandom(18).hex() if auth != "trust" else ""
        self._as_postgres = os.geteuid() == 0

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
        args = ["-D", str(self.data), "-A", self.auth, "-U", SUPERUSER, "--no-sync"]
        if self.password:
            pwfile = self.root / "pwfile"
            pwfile.write_text(self.password + "\n")
            if self._as_postgres:
                shutil.chown(pwfile, SUPERUSER, SUPERUSER)
            args += ["--pwfile", str(pwfile)]
        try:
            self._run("initdb", *args)
        finally:
            (self.root / "pwfile").unlink(missing_ok=True)

    def admin_url(self, database: str = "postgres") -> str:
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        return f"postgresql://{SUPERUSER}{secret}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        """The superuser's SQLAlchemy URL."""
        return self.admin_url().replace("postgresql://", "postgresql+psycopg2://", 1)

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def create_role(self, name: str, password: str, database: str) -> str:
        """An ordinary role that logs in with its password and may create databases; its URL."""
        from psycopg2 import sql

        from tools.database import connect

        with closing(connect(self.admin_url())) as admin, admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEDB NOSUPERUSER PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(name)
                )
            )
        secret = quote(password, safe="")
        return f"postgresql://{quote(name, safe='')}:{secret}@127.0.0.1:{self.port}/{database}"

    def save(self) -> None:
        state = {"port": self.port, "auth": self.auth}
        (self.root / STATE_FILE).write_text(json.dumps(state))

    @classmethod
    def load(cls, root: Path) -> PostgresServer:
        state = json.loads((root / STATE_FILE).read_text())
        return cls(root, auth=state["auth"], port=state["port"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pgserver", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="initdb, start, print the role's URL")
    start.add_argument("root", type=Path)
    start.add_argument("--auth", default="scram-sha-256")
    start.add_argument("--role", default="mdcreator:mdcreator", metavar="NAME:PASSWORD")
    start.add_argument("--database", default="mdcreator_dev")
    stop = commands.add_parser("stop", help="stop the server and delete its folder")
    stop.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    if args.command == "stop":
        if (args.root / STATE_FILE).is_file():
            PostgresServer.load(args.root).close()
        return 0
    server = PostgresServer(args.root, auth=args.auth)
    server.init()
    server.save()
    server.start()
    name, _, password = args.role.partition(":")
    print(server.create_role(name, password, args.database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
