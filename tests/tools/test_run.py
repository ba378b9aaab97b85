"""`make run`: settings from .env and the shell reach the functions; a pending migration runs."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from tests.support.accounts import PASSWORD
from tests.support.paths import ROOT
from tests.support.settings import REDIS_URL
from tools.database import create_database, drop_database
from tools.ports import free_port
from tools.run import for_containers, page_settings, plan
from tools.services import ServiceError
from tools.settings import setting_names


@pytest.fixture
def empty_database() -> Iterator[str]:
    url = create_database("mdc_run")
    yield url
    drop_database(url)


def _shell_without_settings(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in setting_names()}
    return {**env, **extra}


def _wait_for_200(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"no 200 from {url}:\n{log.read_text()[-3000:]}")


def test_make_run_serves_dotenv_and_shell_settings_on_a_migrated_database(
    empty_database: str, tmp_path: Path
) -> None:
    # GIVEN a .env whose prefix make would mangle, a shell limit, and an unmigrated database
    prefix = f"mdc-run {uuid.uuid4().hex[:6]} $HOME #x:"
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"DATABASE_URL={empty_database}\nREDIS_KEY_PREFIX='{prefix}'\nBCRYPT_ROUNDS=4\n"
    )
    port, web_port = free_port(), free_port()
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "run",
                f"PORT={port}",
                f"WEB_PORT={web_port}",
                f"DOTENV={dotenv}",
            ],  # fmt: skip
            cwd=ROOT,
            env=_shell_without_settings(SIGNUP_IP_MAX="1"),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    redis = Redis.from_url(REDIS_URL)
    try:
        _wait_for_200(f"http://127.0.0.1:{port}/", process, log)
        body = {"email": f"run-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
        # WHEN two signups come from one IP
        first = httpx.post(f"http://127.0.0.1:{port}/api/auth/signup", json=body, timeout=30)
        body["email"] = "second-" + body["email"]
        second = httpx.post(f"http://127.0.0.1:{port}/api/auth/signup", json=body, timeout=30)
        # THEN the table exists (migrated), the shell's limit and the .env prefix are in force
        assert first.status_code == 201, first.text
        assert second.status_code == 429, second.text
        assert redis.exists(f"{prefix}signup-ip:127.0.0.1")
        assert f"http://localhost:{port}" in log.read_text()
        _check_reference_page(port, web_port, log, {**body, "email": first.json()["email"]})
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        keys = list(redis.scan_iter(match=f"{prefix}*".replace("[", "\\[")))
        if keys:
            redis.delete(*keys)
        redis.close()


def _check_reference_page(port: int, web_port: int, log: Path, account: dict[str, str]) -> None:
    """The page is served naming the API, is the SPA of development (mail links open it,
    the gateway and the functions accept its origin in cookie mode)."""
    page_origin = f"http://localhost:{web_port}"
    assert f"{page_origin}/verify-email?token=" in log.read_text()  # the signup's mail
    html = httpx.get(f"http://127.0.0.1:{web_port}/verify-email?token=x", timeout=10)
    assert f'<meta name="mdc-api" content="http://localhost:{port}">' in html.text
    api = f"http://127.0.0.1:{port}"
    preflight = httpx.options(
        f"{api}/api/auth/refresh",
        headers={
            "Origin": page_origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-refresh-token-mode",
        },
    )
    assert preflight.headers["access-control-allow-origin"] == page_origin
    login = httpx.post(
        f"{api}/api/auth/login",
        json=account,
        headers={"Origin": page_origin, "X-Refresh-Token-Mode": "cookie"},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    assert "mdc_refresh=" in login.headers["set-cookie"]


def test_where_the_rie_cannot_run_sam_local_serves_through_docker() -> None:
    served = plan("Darwin", True, 3000, Path("env.json"), "http://localhost:5174")
    assert served.argv[1:4] == ["local", "start-api", "--env-vars"]
    assert "--warm-containers" in served.argv
    assert served.argv[-2:] == ["--parameter-overrides", "CorsOrigins=http://localhost:5174"]
    assert "Linux only" in served.note


def test_where_the_rie_cannot_run_and_docker_is_absent_it_says_so() -> None:
    with pytest.raises(ServiceError, match="Linux only.*Docker"):
        plan("Windows", False, 3000, Path("env.json"))


def test_containers_reach_local_services_through_the_docker_host_name() -> None:
    values = for_containers(
        {"DATABASE_URL": "", "ENV": "development"},
        ("postgresql+psycopg2://u:p@localhost:5432/db", "redis://127.0.0.1:6379/0"),
    )
    assert values["DATABASE_URL"] == "postgresql+psycopg2://u:p@host.docker.internal:5432/db"
    assert values["REDIS_URL"] == "redis://host.docker.internal:6379/0"


def test_the_page_is_the_spa_of_development_beside_the_dev_server() -> None:
    assert page_settings(5174) == {
        "APP_URL": "http://localhost:5174",
        "CORS_ORIGINS": "http://localhost:5173,http://localhost:5174",
    }
    assert page_settings(5173)["CORS_ORIGINS"] == "http://localhost:5173"
