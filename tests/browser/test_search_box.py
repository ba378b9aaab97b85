"""The reference page's search box in Chromium: results over the document list, snippets
drawn as text with <mark>ed matches at the API's code-point offsets, a click opens the
document, and the API's refusals are shown in its own words."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.test_reference_page import _sign_up, _type
from tests.support.accounts import PASSWORD
from tests.support.browser import Page

# An emoji is one code point but two UTF-16 code units: offsets used as JavaScript string
# indexes would mark " table" instead of "tables". The word pass's snippet (ts_headline)
# starts at the first word, so the second emoji is the one before its match.
TABLES = "😀 first we write 😀 Markdown tables"
# ts_headline leaves HTML tags out of the word pass's snippets; the substring pass's come
# from the body as written, tag and all.
HOSTILE_TITLE = "Hostile <b>notes</b>"
HOSTILE = '<img src=x onerror="window.__xss=1"> notes on Markdown tables'


@pytest.fixture
def email() -> str:
    return f"search-{uuid.uuid4().hex[:10]}@example.com"


def _workspace(page: Page, name: str) -> str:
    page.submit("workspace-create", name=name)
    page.wait.until(lambda _: page.text("workspace-name") == name)
    return str(page.driver.find_element(By.ID, "workspace").get_attribute("data-workspace-id"))


def _ready(page: Page, form_id: str) -> None:
    """Wait until the form's button is enabled: the page disables it until its last submit's
    work (a cold start can make that seconds) is done, and a click on it meanwhile is lost."""
    button = page.driver.find_element(By.CSS_SELECTOR, f"#{form_id} button")
    page.wait.until(lambda _: button.is_enabled(), f"the {form_id} form stayed busy")


def _paste(page: Page, text: str) -> None:
    """Put `text` in the editor as a paste would: ChromeDriver types only characters of the
    Basic Multilingual Plane, and an emoji lies beyond it."""
    editor = page.driver.find_element(By.ID, "document-content")
    page.driver.execute_script("arguments[0].value = arguments[1]", editor, text)


def _document(page: Page, title: str, content: str) -> str:
    """Create a document in the open workspace through the page, save `content`: its id."""
    _ready(page, "document-create")
    page.submit("document-create", title=title)
    page.wait.until(lambda _: page.text("document-title") == title)
    if content.isascii():
        _type(page, content)
    else:
        _paste(page, content)
    page.click("document-save")
    page.wait.until(lambda _: page.text("document-version") == "2")
    return str(page.driver.find_element(By.ID, "document").get_attribute("data-document-id"))


def _search_state(page: Page) -> str:
    return str(
        page.driver.execute_script(
            "return document.getElementById('search-area').dataset.state ?? ''"
        )
    )


def _search(page: Page, q: str) -> str:
    """Type `q` into the box, press Enter, wait for the answer: the state it leaves."""
    _ready(page, "search")
    box = page.driver.find_element(By.ID, "search-q")
    box.clear()
    box.send_keys(q + Keys.ENTER)
    # The status names the query once its answer is drawn; an error names no query.
    page.wait.until(
        lambda _: (
            _search_state(page) == "error"
            or (
                _search_state(page) in {"results", "empty"}
                and f"“{q}”" in page.text("search-status")
            )
        ),
        f"the search for {q!r} never answered",
    )
    return _search_state(page)


def _results(page: Page) -> dict[str, dict[str, Any]]:
    """Each result by its document id: title, snippet text and each <mark>'s text, read in
    one script (the page may redraw between two WebDriver calls)."""
    script = """
      return [...document.querySelectorAll("#search-results li")].map((item) => [
        item.dataset.documentId,
        {
          title: item.querySelector(".result-title").textContent,
          snippet: item.querySelector(".result-snippet").textContent,
          marks: [...item.querySelectorAll(".result-snippet mark")].map((m) => m.textContent),
        },
      ]);
    """
    return {str(key): value for key, value in page.driver.execute_script(script)}


def _editor(page: Page) -> str:
    return str(
        page.driver.execute_script("return document.getElementById('document-content').value")
    )


def test_the_box_finds_words_and_half_words_marks_them_as_text_and_opens_the_result(
    page: Page, email: str
) -> None:
    _sign_up(page, email)
    _workspace(page, "Search")
    tables = _document(page, "Tables", TABLES)
    hostile = _document(page, HOSTILE_TITLE, HOSTILE)
    assert page.text("document-title") == HOSTILE_TITLE  # the last one created is open

    assert _search(page, "tables") == "results"
    results = _results(page)
    assert set(results) == {tables, hostile}
    assert results[tables]["title"] == "Tables"
    assert results[tables]["snippet"] == TABLES.removeprefix("😀 ")
    assert results[tables]["marks"] == ["tables"]  # exactly the word, despite the emoji
    assert results[hostile]["title"] == HOSTILE_TITLE
    assert results[hostile]["marks"] == ["tables"]
    page.shot("01-word-results")

    # Half a word: the substring pass, marked at the same code-point offsets.
    assert _search(page, "markd") == "results"
    results = _results(page)
    assert set(results) == {tables, hostile}
    assert results[tables]["snippet"] == TABLES
    assert results[tables]["marks"] == ["Markd"]
    assert results[hostile]["snippet"] == HOSTILE
    assert results[hostile]["marks"] == ["Markd"]
    # The markup in the title and the snippet went into the page as text: no element was
    # made of it, so nothing could run (the page's CSP would stop an inline handler too).
    found = "#search-results img, #search-results b"
    assert page.driver.find_elements(By.CSS_SELECTOR, found) == []
    assert page.driver.execute_script("return window.__xss") is None
    page.shot("02-half-word")

    page.driver.find_element(
        By.CSS_SELECTOR, f'#search-results li[data-document-id="{tables}"] button'
    ).click()
    page.wait.until(lambda _: page.text("document-title") == "Tables")
    assert _editor(page) == TABLES
    assert page.driver.find_element(By.ID, "document").get_attribute("data-document-id") == tables
    page.shot("03-opened-from-the-results")

    assert _search(page, "zebra") == "empty"
    assert page.text("search-status") == "No documents match “zebra”."
    assert _results(page) == {}
    page.shot("04-no-results")


def test_more_results_come_page_by_page_and_the_search_limit_is_shown_in_the_apis_words(
    page: Page, email: str
) -> None:
    _sign_up(page, email)
    workspace = _workspace(page, "Plenty")
    with httpx.Client(base_url=page.site.api_url, timeout=10) as client:
        login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        # One more than the page asks for at a time.
        for number in range(21):
            created = client.post(
                f"/api/workspaces/{workspace}/documents",
                json={"title": f"Note {number}", "content": f"plenty of words, number {number}"},
                headers=auth,
            )
            assert created.status_code == 201, created.text

        assert _search(page, "plenty") == "results"
        assert len(_results(page)) == 20
        assert "and there are more" in page.text("search-status")
        page.click("search-more")
        page.wait.until(lambda _: len(_results(page)) == 21, "the second page never came")
        assert {result["title"] for result in _results(page).values()} == {
            f"Note {number}" for number in range(21)
        }
        assert not page.driver.find_element(By.ID, "search-more").is_displayed()
        page.shot("01-two-pages")

        # The same person searching elsewhere spends the same budget, until the API refuses.
        for _ in range(100):
            answer = client.get(
                f"/api/workspaces/{workspace}/search", params={"q": "plenty"}, headers=auth
            )
            if answer.status_code == 429:
                break
            assert answer.status_code == 200, answer.text
        assert answer.status_code == 429
        detail = answer.json()["detail"]

    assert _search(page, "plenty") == "error"
    assert page.text("search-status") == f"Search failed: {detail}"
    assert _results(page) == {}
    page.shot("02-limited")
