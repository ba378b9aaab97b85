"""The reference page in Chromium: what a test sees of it and what the browser holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.paths import ROOT

__all__ = ["FLAGS", "SCREENSHOTS", "Page", "Site"]

# Screenshots of every step (gitignored; docs/browser-sessions.md).
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

    def rows(self, selector: str, key: str) -> list[tuple[str, list[str]]]:
        """The elements `selector` finds, each as (its `data-<key>`, its cells' or own text),
        read in one script: the page may redraw a list between two WebDriver calls."""
        script = """
          const [selector, key] = arguments;
          return [...document.querySelectorAll(selector)].map((row) => [
            row.dataset[key] ?? "",
            row.children.length && row.tagName === "TR"
              ? [...row.children].map((cell) => cell.innerText)
              : [row.innerText],
          ]);
        """
        found = self.driver.execute_script(script, selector, key)
        return [(str(value), [str(text) for text in texts]) for value, texts in found]

    def wait_until(self, condition: Callable[[], object], message: str) -> None:
        self.wait.until(lambda _: condition(), message)

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
