"""The HTTP suite: against --base-url when given, else through our emulator from .aws-sam/build."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.http import PASSWORD
from tests.support.paths import ROOT
from tests.support.settings import applied


@pytest.fixture(scope="package", autouse=True)
def _app_settings(app_env: dict[str, str]) -> Iterator[None]:
    with applied(app_env):
        yield


@pytest.fixture
def non_utf8_bodies_reach_the_function(request: pytest.FixtureRequest) -> None:
    """Skips under the real sam local, whose gateway cannot pass on a body that is not UTF-8."""
    if request.config.getoption("--gateway") == "sam-local":
        pytest.skip(
            "sam local decodes every body as UTF-8 and answers 502; API Gateway hands such a "
            "body to the function base64-encoded"
        )


@pytest.fixture(scope="session")
def emulated(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--base-url") is None


@pytest.fixture(scope="session")
def env_vars_file(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SAM's env.json format: the test settings for every function."""
    path = tmp_path_factory.mktemp("emulator") / "env.json"
    path.write_text(json.dumps({"Parameters": app_env}))
    return path


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest, env_vars_file: Path) -> Iterator[str]:
    given = request.config.getoption("--base-url")
    if given:
        yield given.rstrip("/")
        return
    from tests.support.emulator import start_api

    build_dir = ROOT / ".aws-sam" / "build"
    if not (build_dir / "template.yaml").exists():
        pytest.fail("no sam build artifacts: run `make build` first")
    with start_api(build_dir=build_dir, env_vars=env_vars_file) as url:
        yield url


@pytest.fixture(scope="session")
def api(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=15) as client:
        yield client


@pytest.fixture
def email() -> str:
    return f"it-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def signup(api: httpx.Client) -> Callable[..., httpx.Response]:
    def _signup(email: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        return api.post("/api/auth/signup", json={"email": email, "password": password, **extra})

    return _signup


@pytest.fixture
def login(api: httpx.Client) -> Callable[..., httpx.Response]:
    def _login(email: str, password: str = PASSWORD) -> httpx.Response:
        return api.post("/api/auth/login", json={"email": email, "password": password})

    return _login


@pytest.fixture
def account(
    email: str, signup: Callable[..., httpx.Response], login: Callable[..., httpx.Response]
) -> dict[str, Any]:
    assert signup(email).status_code == 201
    answer = login(email)
    assert answer.status_code == 200
    return answer.json()
