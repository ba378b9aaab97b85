"""The reference page in Chromium: a session that survives reloads without any script ever
holding the refresh token, and that a page on another origin cannot use."""

from __future__ import annotations

import uuid

import httpx
import pytest
from redis import Redis
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mdcreator.auth.tokens import RefreshToken, refresh_digest
from tests.support.accounts import PASSWORD
from tests.support.browser import Page
from tests.support.mail import MailServer
from tests.support.settings import REDIS_URL


@pytest.fixture
def email() -> str:
    return f"page-{uuid.uuid4().hex[:10]}@example.com"


def _sign_up(page: Page, email: str) -> None:
    page.open(page.site.page_url)
    page.wait_for("signed-out")
    page.submit("signup", email=email, password=PASSWORD)
    page.wait_for("signed-in")


def test_login_survives_a_reload_without_a_readable_refresh_token_and_logout_ends_it(
    page: Page, email: str
) -> None:
    page.open(page.site.page_url)
    page.wait_for("signed-out")
    page.shot("01-signed-out")
    page.submit("signup", email=email, password=PASSWORD)
    page.wait_for("signed-in")
    page.click("logout")
    page.wait_for("signed-out")

    page.submit("login", email=email, password=PASSWORD)
    page.wait_for("signed-in")
    assert page.text("profile-email") == email
    page.shot("02-logged-in")

    page.driver.refresh()
    page.wait_for("signed-in")
    assert page.text("profile-email") == email
    page.shot("03-reloaded-still-logged-in")
    # The browser holds the refresh token; no script can read it, nor finds a token stored.
    cookies = page.api_cookies()
    assert cookies["mdc_refresh"]["httpOnly"] and cookies["mdc_refresh"]["secure"]
    assert cookies["mdc_refresh"]["path"] == "/api/auth"
    assert cookies["mdc_refresh"]["sameSite"] == "Lax"
    assert cookies["mdc_device"]["httpOnly"] and cookies["mdc_device"]["path"] == "/api/auth/login"
    assert page.script_cookies() == ""
    storage = "return JSON.stringify([{...localStorage}, {...sessionStorage}])"
    assert page.driver.execute_script(storage) == "[{},{}]"

    page.click("logout")
    page.wait_for("signed-out")
    # Logout ends the session; the device token stays, so outsiders' failures cannot lock
    # this browser out of its next login.
    assert set(page.api_cookies()) == {"mdc_device"}
    page.shot("04-logged-out")
    page.driver.refresh()
    page.wait_for("signed-out")
    page.shot("05-reloaded-still-logged-out")


def test_a_page_on_another_origin_cannot_refresh_with_the_cookie(
    page: Page, email: str, redis_prefix: str
) -> None:
    _sign_up(page, email)
    cookie = page.api_cookies()["mdc_refresh"]["value"]
    opaque = RefreshToken.parse(cookie)
    assert opaque is not None
    session_key = f"{redis_prefix}session:{{{opaque.user_id}}}:{opaque.session_id}"

    # The same page served from another port: same site, so the browser sends it the
    # cookies, but not one of the API's SPA origins.
    page.open(page.site.foreign_url)
    page.wait_for("signed-out")
    assert "Cannot reach the API" in page.text("message")
    page.shot("01-foreign-origin-not-logged-in")
    # With the header the preflight is refused, so the request is never sent; without it the
    # request goes out with the cookie and the API refuses it (403). Either way the page
    # reads nothing.
    with_header = page.fetch("/api/auth/refresh", {"X-Refresh-Token-Mode": "cookie"})
    without_header = page.fetch("/api/auth/refresh", {})
    assert with_header == {"error": "TypeError: Failed to fetch"}
    assert without_header == {"error": "TypeError: Failed to fetch"}

    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        session = redis.hgetall(session_key)
    finally:
        redis.close()
    assert session["refresh_hash"] == refresh_digest(opaque.secret)  # never rotated
    assert "previous_hash" not in session
    assert page.api_cookies()["mdc_refresh"]["value"] == cookie

    page.open(page.site.page_url)
    page.wait_for("signed-in")
    page.shot("02-spa-origin-still-logged-in")


def test_the_verification_link_from_the_mail_opens_the_page_and_confirms(
    page: Page, email: str, mail_server: MailServer
) -> None:
    _sign_up(page, email)
    assert page.text("profile-verified") == "no"
    link = mail_server.mailbox.wait_for(email)[0].link
    assert link.startswith(f"{page.site.page_url}/verify-email?token=")

    page.open(link)
    page.wait_for("signed-in")
    assert page.text("message") == f"{email} is confirmed."
    assert page.text("profile-verified") == "yes"
    # The one-time token leaves the address bar and the history.
    assert page.driver.current_url == page.site.page_url + "/"
    page.shot("01-verified")


def test_the_page_renews_the_access_token_before_it_expires(page: Page, email: str) -> None:
    _sign_up(page, email)
    first = page.api_cookies()["mdc_refresh"]["value"]
    # The access token lives 60 s here; the page refreshes halfway, with no reload or click.
    WebDriverWait(page.driver, 60).until(
        lambda _: page.api_cookies()["mdc_refresh"]["value"] != first,
        "the refresh cookie never rotated",
    )
    page.click("verify")  # an API call with the renewed access token
    page.wait.until(lambda _: "mailed you a new confirmation link" in page.text("message"))
    page.shot("01-renewed")


def test_the_reset_link_from_the_mail_sets_a_password_and_logs_in(
    page: Page, email: str, mail_server: MailServer
) -> None:
    _sign_up(page, email)
    page.click("logout")
    page.wait_for("signed-out")
    mail_server.mailbox.wait_for(email)  # the signup's verification mail
    page.submit("forgot", email=email)
    page.wait.until(lambda _: "reset link is on its way" in page.text("message"))
    link = mail_server.mailbox.wait_for(email, 2)[1].link
    assert link.startswith(f"{page.site.page_url}/reset-password?token=")

    page.open(link)
    page.wait_for("reset")
    assert page.driver.current_url == page.site.page_url + "/"
    page.shot("01-choose-a-new-password")
    page.submit("reset-form", new_password="another-horse-battery")
    page.wait_for("signed-in")
    assert page.api_cookies()["mdc_refresh"]["httpOnly"]
    page.shot("02-new-password-logged-in")
    page.driver.refresh()
    page.wait_for("signed-in")
    page.click("logout")
    page.wait_for("signed-out")
    page.submit("login", email=email, password="another-horse-battery")
    page.wait_for("signed-in")


FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _session_rows(page: Page) -> dict[str, list[str]]:
    """Each row of the session list by its session id: its cells' text."""
    return dict(page.rows("#sessions tbody tr", "sessionId"))


def _event_kinds(page: Page) -> list[str]:
    return [kind for kind, _ in page.rows("#security-events li", "kind")]


def test_the_session_list_shows_both_logins_and_signing_one_out_ends_it(
    page: Page, email: str
) -> None:
    _sign_up(page, email)
    # A second login, from another program: a body-mode client with Firefox's user agent.
    with httpx.Client(base_url=page.site.api_url, timeout=10) as client:
        login = client.post(
            "/api/auth/login",
            json={"email": email, "password": PASSWORD},
            headers={"User-Agent": FIREFOX_ON_LINUX},
        )
        assert login.status_code == 200, login.text
        other_refresh = login.json()["refresh_token"]

        page.driver.refresh()
        page.wait_for("signed-in")
        page.wait_until(lambda: len(_session_rows(page)) == 2, "the list never showed 2 sessions")
        rows = _session_rows(page)
        current = [sid for sid, cells in rows.items() if "this device" in cells[-1]]
        assert len(current) == 1
        (other,) = set(rows) - set(current)
        assert rows[other][:2] == ["Firefox", "Linux"]
        assert rows[current[0]][0] == "HeadlessChrome"
        assert rows[other][2] == "127.0.0.1" and rows[other][3]  # IP, last used
        page.shot("01-two-sessions")

        button = page.driver.find_element(
            By.CSS_SELECTOR, f'#sessions tr[data-session-id="{other}"] button.sign-out'
        )
        button.click()
        page.wait_until(lambda: set(_session_rows(page)) == set(current), "the row stayed")
        assert page.text("message") == "That session is signed out."
        # Signed out at the API, not only hidden: its refresh token is refused.
        refused = client.post("/api/auth/refresh", json={"refresh_token": other_refresh})
        assert refused.status_code == 401
    # The history, newest first: the revocation above the logins.
    page.wait_until(
        lambda: _event_kinds(page)[:1] == ["session_revoked"],
        "the revocation is not the newest event",
    )
    kinds = _event_kinds(page)
    assert kinds.count("login_succeeded") >= 2
    assert kinds.index("session_revoked") < kinds.index("login_succeeded")
    page.shot("02-one-signed-out")
    # The page itself is still signed in.
    page.driver.refresh()
    page.wait_for("signed-in")


def _member_emails(page: Page) -> list[str]:
    return [cells[0] for _, cells in page.rows("#members tbody tr", "userId")]


def test_an_invitation_from_one_user_makes_the_other_a_member_through_the_mailed_link(
    page: Page, other_page: Page, email: str, mail_server: MailServer
) -> None:
    # A: a workspace of their own.
    _sign_up(page, email)
    page.submit("workspace-create", name="Team <b>notes</b>")
    page.wait.until(lambda _: page.text("workspace-name") == "Team <b>notes</b>")
    assert page.text("workspace-role") == "owner"
    page.wait.until(lambda _: _member_emails(page) == [email])
    # The name went into the page as text: no element was made of it.
    assert page.driver.find_elements(By.CSS_SELECTOR, "#workspace-name b, #workspaces b") == []
    page.shot("01-a-created-a-workspace")

    # B: signed up and verified (only the invited, verified address may accept).
    invitee = f"invitee-{uuid.uuid4().hex[:10]}@example.com"
    _sign_up(other_page, invitee)
    other_page.open(mail_server.mailbox.wait_for(invitee)[0].link)
    other_page.wait.until(lambda _: other_page.text("profile-verified") == "yes")

    page.submit("invite", email=invitee)
    page.wait.until(lambda _: page.text("message") == f"We mailed an invitation to {invitee}.")
    link = mail_server.mailbox.wait_for(invitee, 2)[1].link
    assert link.startswith(f"{page.site.page_url}/invitation?token=")

    other_page.open(link)
    other_page.wait.until(
        lambda _: other_page.text("message") == "You joined Team <b>notes</b> as editor."
    )
    assert other_page.driver.current_url == page.site.page_url + "/"
    other_page.wait.until(lambda _: other_page.text("workspace-role") == "editor")
    assert sorted(_member_emails(other_page)) == sorted([email, invitee])
    other_page.shot("01-b-joined")
    # The link is spent: opening it again joins nothing and says why.
    other_page.open(link)
    other_page.wait_for("signed-in")
    other_page.wait.until(lambda _: other_page.text("message") != "")
    assert "joined" not in other_page.text("message")

    # A sees B among the members, with B's role.
    page.driver.refresh()
    page.wait_for("signed-in")
    page.driver.find_element(By.CSS_SELECTOR, "#workspaces button.open-workspace").click()
    page.wait.until(lambda _: invitee in _member_emails(page))
    roles = {cells[0]: cells[2] for _, cells in page.rows("#members tbody tr", "userId")}
    assert roles == {email: "owner", invitee: "editor"}
    page.shot("02-a-sees-b")


def _conflict_shown(page: Page) -> bool:
    return bool(page.driver.find_element(By.ID, "conflict").is_displayed())


def _open_first(page: Page, button_class: str) -> None:
    page.wait.until(lambda _: page.driver.find_elements(By.CSS_SELECTOR, f"button.{button_class}"))
    page.driver.find_element(By.CSS_SELECTOR, f"button.{button_class}").click()


def _type(page: Page, text: str) -> None:
    editor = page.driver.find_element(By.ID, "document-content")
    editor.clear()
    editor.send_keys(text)


def _editor(page: Page) -> str:
    return str(
        page.driver.execute_script("return document.getElementById('document-content').value")
    )


def test_two_windows_edit_one_document_and_the_second_save_meets_the_conflict_losing_nothing(
    page: Page, other_page: Page, email: str
) -> None:
    _sign_up(page, email)
    page.submit("workspace-create", name="Drafts")
    page.wait.until(lambda _: page.text("workspace-name") == "Drafts")
    page.submit("document-create", title="Plan")
    page.wait.until(lambda _: page.text("document-title") == "Plan")
    _type(page, "first words")
    page.click("document-save")
    page.wait.until(lambda _: page.text("document-version") == "2")

    # The same person in a second window: both hold version 2.
    other_page.open(page.site.page_url)
    other_page.wait_for("signed-out")
    other_page.submit("login", email=email, password=PASSWORD)
    other_page.wait_for("signed-in")
    _open_first(other_page, "open-workspace")
    _open_first(other_page, "open-document")
    other_page.wait.until(lambda _: _editor(other_page) == "first words")

    _type(page, "window one's version")
    page.click("document-save")
    page.wait.until(lambda _: page.text("document-version") == "3")

    _type(other_page, "window two's version")
    other_page.click("document-save")
    other_page.wait.until(
        lambda _: other_page.driver.find_element(By.ID, "conflict").is_displayed()
    )
    assert "changed elsewhere" in other_page.text("message")
    assert other_page.text("conflict-theirs") == "window one's version"
    assert other_page.text("conflict-version") == "3"
    assert _editor(other_page) == "window two's version"  # nothing lost
    other_page.shot("01-conflict")

    other_page.click("conflict-keep")
    other_page.wait.until(lambda _: other_page.text("document-version") == "4")
    assert not _conflict_shown(other_page)
    # Window one meets the conflict too now, instead of overwriting version 4 unseen.
    page.click("document-save")
    page.wait.until(lambda _: _conflict_shown(page))
    assert page.text("conflict-theirs") == "window two's version"
    page.click("conflict-reload")
    page.wait.until(lambda _: _editor(page) == "window two's version")
    assert page.text("document-version") == "4"
    page.shot("02-took-theirs")


XSS_MARKDOWN = (
    "# Hello\n\n"
    '<img src=x onerror="window.__xss=1">\n\n'
    "[x](javascript:window.__xss=1)\n\n"
    "<script>window.__xss=1</script>\n"
)


def test_the_preview_inserts_the_servers_sanitized_html_and_runs_nothing_of_the_markdown(
    page: Page, email: str
) -> None:
    _sign_up(page, email)
    page.submit("workspace-create", name="Preview")
    page.wait.until(lambda _: page.text("workspace-name") == "Preview")
    page.submit("document-create", title="Hostile")
    page.wait.until(lambda _: page.text("document-title") == "Hostile")
    _type(page, XSS_MARKDOWN)
    page.click("document-save")
    page.wait.until(lambda _: page.text("document-version") == "2")
    page.click("document-preview-button")
    page.wait.until(lambda _: page.driver.find_elements(By.CSS_SELECTOR, "#document-preview h1"))
    assert page.driver.find_element(By.CSS_SELECTOR, "#document-preview h1").text == "Hello"
    # Clicking the link, were it kept, would run it.
    for link in page.driver.find_elements(By.CSS_SELECTOR, "#document-preview a"):
        link.click()
    assert page.driver.execute_script("return window.__xss") is None
    # Not only the page's CSP at work: the inserted HTML itself carries no handler, no
    # script and no javascript: link.
    found = page.driver.execute_script(
        """
        const preview = document.getElementById("document-preview");
        return {
          handlers: [...preview.querySelectorAll("*")].flatMap((element) =>
            [...element.attributes].map((a) => a.name).filter((name) => name.startsWith("on"))),
          scripts: preview.querySelectorAll("script").length,
          javascript: [...preview.querySelectorAll("[href], [src]")]
            .map((element) => element.getAttribute("href") ?? element.getAttribute("src"))
            .filter((url) => /^\\s*javascript:/i.test(url)),
        };
        """
    )
    assert found == {"handlers": [], "scripts": 0, "javascript": []}
    page.shot("01-preview")
