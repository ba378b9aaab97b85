"""SIGKILL of the emulator (or a crashed test run) leaves no runtime with a Postgres connection."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.support.http import PASSWORD, bearer
from tests.support.paths import ROOT
from tools.database import connect, create_database, database_name, drop_database, migrate
from tools.emulator import EmulatorProcess, start_api_args
from tools.ports import free_port


@pytest.fixture
def own_database(emulated: bool) -> Iterator[str]:
    if not emulated:
        pytest.skip("kills our emulator, not a --base-url server")
    url = create_database("mdc_kill")
    try:
        migrate(url)
        yield url
    finally:
        drop_database(url)


def _connections(url: str) -> int:
    with closing(connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database_name(url),),
        )
        return int(cursor.fetchone()[0])


def test_sigkill_closes_every_functions_postgres_connection(
    own_database: str, app_env: dict[str, str], tmp_path: Path
) -> None:
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps({"Parameters": {**app_env, "DATABASE_URL": own_database}}))
    args = start_api_args(build_dir=ROOT / ".aws-sam" / "build", env_vars=env_file)
    process = EmulatorProcess(args, free_port())
    try:
        process.wait_ready()
        with httpx.Client(base_url=process.url, timeout=30) as client:
            body = {"email": "killed@example.com", "password": PASSWORD}
            assert client.post("/api/auth/signup", json=body).status_code == 201
            token = client.post("/api/auth/login", json=body).json()["access_token"]
            assert client.get("/api/auth/me", headers=bearer(token)).status_code == 200
        assert _connections(own_database) >= 3  # signup, login and me each hold one
        process.process.send_signal(signal.SIGKILL)
        process.process.wait(10)
    finally:
        if process.process.poll() is None:
            process.process.kill()
        process.stop()

    deadline = time.monotonic() + 10
    while (left := _connections(own_database)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == 0
