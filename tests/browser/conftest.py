"""The reference page (web/) in a real Chromium, against the emulated API from the build.

Three servers, all on localhost: the API, the page (an SPA origin of the API), and the same
page on another port, which the API does not know: same site, so the browser sends it the
cookies too, and only cookie mode's rules stand between it and the session.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ROOT
from tests.support.emulator import EmulatorProcess, free_port, start_api_args
from tools import browser as chromium
from tools.web import serve_in_background

# Screenshots of every step (gitignored; README "The reference page").
SCREENSHOTS = ROOT / "screenshots"
FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--window-size=1000,900"
).split()


@dataclass(frozen=True)
class Site:
    api_url: str
    page_url: str
    foreign_url: str


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


class Page:
    """One Chromium on the reference page: what a person sees and what the browser holds."""

    def __init__(self, driver: WebDriver, site: Site, shots: Path) -> None:
        self.driver = driver
        self.site = site
        self.shots = shots
        self.wait = WebDriverWait(driver, 20)

    def open(self, url: str) -> None:
        self.driver.get(url)

    def state(self) -> str:
        return str(self.driver.execute_script("return document.body.dataset.state"))

    def wait_for(self, state: str) -> None:
        self.wait.until(lambda _: self.state() == state, f"page never reached {state!r}")

    def text(self, element_id: str) -> str:
        return str(self.driver.find_element(By.ID, element_id).text)

    def submit(self, form_id: str, **fields: str) -> None:
        form = self.driver.find_element(By.ID, form_id)
        for name, value in fields.items():
            field = form.find_element(By.NAME, name)
            field.clear()
            field.send_keys(value)
        form.find_element(By.TAG_NAME, "button").click()

    def click(self, element_id: str) -> None:
        self.driver.find_element(By.ID, element_id).click()

    def shot(self, name: str) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))

    def script_cookies(self) -> str:
        """What the page's scripts can read."""
        return str(self.driver.execute_script("return document.cookie"))

    def api_cookies(self) -> dict[str, dict[str, Any]]:
        """Every cookie the browser would send to the API's auth routes, HttpOnly included."""
        urls = [f"{self.site.api_url}/api/auth/refresh", f"{self.site.api_url}/api/auth/login"]
        found = self.driver.execute_cdp_cmd("Network.getCookies", {"urls": urls})["cookies"]
        return {cookie["name"]: cookie for cookie in found}

    def fetch(self, path: str, headers: dict[str, str]) -> dict[str, Any]:
        """A credentialed POST from the current page's origin: status and body, or the error."""
        script = """
          const [url, headers, done] = arguments;
          fetch(url, {method: "POST", headers, credentials: "include"})
            .then(async (answer) => done({status: answer.status, body: await answer.text()}))
            .catch((error) => done({error: String(error)}));
        """
        result: dict[str, Any] = self.driver.execute_async_script(
            script, self.site.api_url + path, headers
        )
        return result


@pytest.fixture
def page(site: Site, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Page]:
    found = chromium.find()
    if found is None:
        pytest.fail(
            "Chromium and chromedriver are missing: `make test` installs them "
            "(python -m tools.browser), or name them in CHROMIUM and CHROMEDRIVER"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = found.chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(found.chromedriver), options=options)
    driver.set_script_timeout(20)
    try:
        yield Page(driver, site, SCREENSHOTS / request.node.name)
    finally:
        driver.quit()
