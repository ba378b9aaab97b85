"""The reference page (web/) in a real Chromium, against the emulated API from the build.

Three servers, all on localhost: the API, the page (an SPA origin of the API), and the same
page on another port, which the API does not know: same site, so the browser sends it the
cookies too, and only cookie mode's rules stand between it and the session.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.support.browser import FLAGS, SCREENSHOTS, Page, Site
from tests.support.emulator import EmulatorProcess, free_port, start_api_args
from tests.support.paths import ROOT
from tests.support.settings import applied
from tools import browser as chromium
from tools.web import serve_in_background


@pytest.fixture(scope="package", autouse=True)
def _app_settings(app_env: dict[str, str]) -> Iterator[None]:
    with applied(app_env):
        yield


@pytest.fixture(scope="module")
def site(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    build_dir = ROOT / ".aws-sam" / "build"
    if not (build_dir / "template.yaml").exists():
        pytest.fail("no sam build artifacts: run `make build` first")
    api_port = free_port()
    api_url = f"http://localhost:{api_port}"
    page = serve_in_background("127.0.0.1", 0, api_url)
    foreign = serve_in_background("127.0.0.1", 0, api_url)
    page_url = f"http://localhost:{page.server_address[1]}"
    env = {
        **app_env,
        "CORS_ORIGINS": page_url,
        "APP_URL": page_url,
        # The page renews the access token halfway through a 60 s life: seen within a test.
        "ACCESS_TOKEN_EXPIRE_MINUTES": "1",
    }
    env_vars = tmp_path_factory.mktemp("browser") / "env.json"
    env_vars.write_text(json.dumps({"Parameters": env}))
    args = start_api_args(
        build_dir=build_dir, env_vars=env_vars, parameter_overrides=[f"CorsOrigins={page_url}"]
    )
    api = EmulatorProcess(args, api_port)
    try:
        api.wait_ready()
        yield Site(api_url, page_url, f"http://localhost:{foreign.server_address[1]}")
    finally:
        api.stop()
        for server in (page, foreign):
            server.shutdown()
            server.server_close()


@pytest.fixture
def chromium_driver(tmp_path: Path) -> Iterator[Callable[[str], WebDriver]]:
    """Start Chromiums, each with a profile of its own (its own cookies): two people."""
    found = chromium.find()
    if found is None:
        pytest.fail(
            "Chromium and chromedriver are missing: `make test` installs them "
            "(python -m tools.browser), or name them in CHROMIUM and CHROMEDRIVER"
        )
    drivers: list[WebDriver] = []

    def start(profile: str) -> WebDriver:
        options = webdriver.ChromeOptions()
        options.binary_location = found.chromium
        for flag in (*FLAGS, f"--user-data-dir={tmp_path / profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(found.chromedriver), options=options)
        driver.set_script_timeout(20)
        drivers.append(driver)
        return driver

    try:
        yield start
    finally:
        for driver in drivers:
            driver.quit()


@pytest.fixture
def page(
    site: Site, chromium_driver: Callable[[str], WebDriver], request: pytest.FixtureRequest
) -> Page:
    return Page(chromium_driver("profile"), site, SCREENSHOTS / request.node.name)


@pytest.fixture
def other_page(
    site: Site, chromium_driver: Callable[[str], WebDriver], request: pytest.FixtureRequest
) -> Page:
    """A second person's browser."""
    return Page(chromium_driver("other-profile"), site, SCREENSHOTS / request.node.name / "other")
