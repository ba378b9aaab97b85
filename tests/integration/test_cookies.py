"""Cookie mode over HTTP: the refresh and device tokens of a browser in HttpOnly cookies.

A `Browser` here holds its cookies as Chromium does for the API's host and sends the SPA's
Origin; the rules hold against a request a script could make, not only against our page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from redis import Redis

from mdcreator.auth.tokens import RefreshToken, refresh_digest
from tests.support.cookies import Jar, SetCookie, set_cookies
from tests.support.http import PASSWORD, SPA_ORIGIN, bearer
from tests.support.mail import MailServer
from tests.support.settings import REDIS_URL

Call = Callable[..., httpx.Response]
COOKIE_MODE = {"X-Refresh-Token-Mode": "cookie"}
REFERENCE_PAGE = "http://localhost:5174"
FOREIGN_ORIGIN = "https://attacker.example"


class Browser:
    """One browser tab of the SPA: its cookie jar, its Origin, cookie mode unless told not."""

    def __init__(self, base_url: str, origin: str | None = SPA_ORIGIN) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.jar = Jar()
        self.origin = origin
        self.access_token = ""

    def request(
        self, method: str, path: str, *, cookie_mode: bool = True, **kwargs: Any
    ) -> httpx.Response:
        headers = {
            **({"Origin": self.origin} if self.origin else {}),
            **(COOKIE_MODE if cookie_mode else {}),
            **self.jar.header_for(path),
            **kwargs.pop("headers", {}),
        }
        answer = self.client.request(method, path, headers=headers, **kwargs)
        self.client.cookies.clear()  # only self.jar sends cookies
        return self.jar.store(answer)

    def login(self, email: str, **kwargs: Any) -> httpx.Response:
        body = {"email": email, "password": PASSWORD}
        return self.request("POST", "/api/auth/login", json=body, **kwargs)

    def refresh(self, **kwargs: Any) -> httpx.Response:
        return self.request("POST", "/api/auth/refresh", **kwargs)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def browser(base_url: str) -> Iterator[Browser]:
    opened = Browser(base_url)
    yield opened
    opened.close()


@pytest.fixture
def member(email: str, signup: Call) -> str:
    assert signup(email).status_code == 201
    return email


@pytest.fixture
def tab(browser: Browser, member: str) -> Browser:
    """The SPA logged in, in cookie mode: its access token, and the cookies in its jar."""
    answer = browser.login(member)
    assert answer.status_code == 200, answer.text
    browser.access_token = answer.json()["access_token"]
    return browser


def _opaque(token: str) -> RefreshToken:
    parsed = RefreshToken.parse(token)
    assert parsed is not None, token
    return parsed


def _sid(refresh_token: str) -> uuid.UUID:
    return _opaque(refresh_token).session_id


def _session(redis_prefix: str, refresh_token: str) -> dict[str, str]:
    token = _opaque(refresh_token)
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        key = f"{redis_prefix}session:{{{token.user_id}}}:{token.session_id}"
        return dict(redis.hgetall(key))
    finally:
        redis.close()


def _unspent(redis_prefix: str, cookie: str) -> bool:
    """The session still has this token as its current one and never rotated."""
    session = _session(redis_prefix, cookie)
    return session["refresh_hash"] == refresh_digest(_opaque(cookie).secret) and (
        "previous_hash" not in session
    )


# --- Login ------------------------------------------------------------------------------


def test_cookie_mode_login_puts_the_refresh_token_in_an_httponly_cookie_not_the_body(
    browser: Browser, member: str
) -> None:
    answer = browser.login(member)
    assert answer.status_code == 200
    body = answer.json()
    assert "refresh_token" not in body and "device_token" not in body
    me = browser.client.get("/api/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    refresh = set_cookies(answer)["mdc_refresh"]
    assert _opaque(refresh.value)
    assert refresh.attributes.keys() >= {"httponly", "secure"}
    assert refresh.path == "/api/auth"
    assert refresh.attributes["samesite"].lower() == "lax"
    # The session's remaining life: the refresh token's own expiry (30 days after login).
    lifetime = 30 * 86_400
    assert refresh.max_age is not None and lifetime - 5 <= refresh.max_age <= lifetime
    assert answer.headers["cache-control"] == "no-store"


def test_cookie_mode_login_puts_the_device_token_in_a_cookie_for_the_login_path_only(
    browser: Browser, member: str
) -> None:
    device = set_cookies(browser.login(member))["mdc_device"]
    assert device.attributes.keys() >= {"httponly", "secure"}
    assert device.path == "/api/auth/login"
    assert device.max_age is not None and device.max_age > 0
    assert "mdc_device" not in browser.jar.header_for("/api/auth/refresh").get("Cookie", "")
    assert "mdc_device" in browser.jar.header_for("/api/auth/login")["Cookie"]


def test_the_reference_page_origin_is_an_spa_origin_too(base_url: str, member: str) -> None:
    page = Browser(base_url, origin=REFERENCE_PAGE)
    try:
        assert page.login(member).status_code == 200
        assert page.refresh().status_code == 200
    finally:
        page.close()


# --- Refresh from the cookie ------------------------------------------------------------


def test_cookie_refresh_rotates_the_cookie(tab: Browser) -> None:
    first = tab.jar.value("mdc_refresh")
    answer = tab.refresh()
    assert answer.status_code == 200, answer.text
    assert "refresh_token" not in answer.json()
    second = set_cookies(answer)["mdc_refresh"]
    assert first is not None and second.value != first
    assert _sid(second.value) == _sid(first)
    assert second.attributes.keys() >= {"httponly", "secure"} and second.path == "/api/auth"
    access = answer.json()["access_token"]
    assert tab.client.get("/api/auth/me", headers=bearer(access)).status_code == 200
    assert tab.refresh().status_code == 200  # the new cookie refreshes in turn


def test_cookie_refresh_without_the_header_is_403_and_spends_nothing(
    tab: Browser, redis_prefix: str, emulated: bool
) -> None:
    cookie = tab.jar.value("mdc_refresh")
    assert cookie is not None
    # A cross-site form or a simple fetch can send the cookie but not a custom header.
    answer = tab.refresh(cookie_mode=False)
    assert answer.status_code == 403
    assert "X-Refresh-Token-Mode" in answer.json()["detail"]
    assert "mdc_refresh" not in set_cookies(answer)
    if emulated:
        assert _unspent(redis_prefix, cookie)
    assert tab.refresh().status_code == 200


@pytest.mark.parametrize("origin", [FOREIGN_ORIGIN, "http://localhost:8080", "null"])
def test_cookie_refresh_from_a_foreign_origin_is_403_and_spends_nothing(
    tab: Browser,
    origin: str,
    redis_prefix: str,
    emulated: bool,
) -> None:
    cookie = tab.jar.value("mdc_refresh")
    assert cookie is not None
    answer = tab.refresh(headers={"Origin": origin})
    assert answer.status_code == 403
    assert answer.json() == {"detail": "Origin not allowed"}
    if emulated:
        assert _unspent(redis_prefix, cookie)
    assert tab.refresh().status_code == 200


def test_cookie_mode_login_from_a_foreign_origin_is_403(member: str, base_url: str) -> None:
    foreign = Browser(base_url, origin=FOREIGN_ORIGIN)
    try:
        answer = foreign.login(member)
        assert answer.status_code == 403
        assert set_cookies(answer) == {}
    finally:
        foreign.close()


def test_cookie_refresh_without_an_origin_header_works(base_url: str, member: str) -> None:
    # Not a browser (browsers send Origin on every cross-origin POST): nothing to forge.
    client = Browser(base_url, origin=None)
    try:
        assert client.login(member).status_code == 200
        assert client.refresh().status_code == 200
    finally:
        client.close()


def test_cookie_mode_without_a_cookie_is_401(browser: Browser) -> None:
    answer = browser.refresh()
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_an_unknown_mode_is_422(browser: Browser, member: str) -> None:
    answer = browser.login(member, cookie_mode=False, headers={"X-Refresh-Token-Mode": "jar"})
    assert answer.status_code == 422
    assert set_cookies(answer) == {}


# --- Rotation, reuse and grace through the cookie -----------------------------------------


def test_an_old_cookie_presented_again_kills_the_session(tab: Browser) -> None:
    stolen = tab.jar.value("mdc_refresh")
    assert stolen is not None
    assert tab.refresh().status_code == 200
    assert tab.refresh().status_code == 200
    # The thief replays the first cookie: theft, the whole session dies.
    thief = Browser(str(tab.client.base_url))
    thief.jar.put(SetCookie("mdc_refresh", stolen, {"path": "/api/auth"}))
    try:
        assert thief.refresh().status_code == 401
    finally:
        thief.close()
    assert tab.refresh().status_code == 401


def test_two_tabs_refreshing_with_one_cookie_both_get_the_same_new_cookie(
    tab: Browser, base_url: str
) -> None:
    cookie = tab.jar.header_for("/api/auth/refresh")

    def other_tab(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            headers = {"Origin": SPA_ORIGIN, **COOKIE_MODE, **cookie}
            return client.post("/api/auth/refresh", headers=headers)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(other_tab, range(2)))
    assert [answer.status_code for answer in answers] == [200, 200]
    children = {set_cookies(answer)["mdc_refresh"].value for answer in answers}
    assert len(children) == 1


def test_a_retry_with_the_just_rotated_cookie_gets_the_current_one(
    tab: Browser,
) -> None:
    before = tab.jar.cookies.copy()
    rotated = tab.refresh()
    assert rotated.status_code == 200
    tab.jar.cookies = before  # the answer got lost on the way: the old cookie again
    retry = tab.refresh()
    assert retry.status_code == 200
    assert set_cookies(retry)["mdc_refresh"].value == set_cookies(rotated)["mdc_refresh"].value


# --- Cookies end with the session -----------------------------------------------------------


def _cleared(answer: httpx.Response) -> set[str]:
    return {c.name for c in set_cookies(answer).values() if c.max_age == 0}


def test_logout_clears_the_refresh_cookie_and_keeps_the_device_cookie(tab: Browser) -> None:
    # The device token stays valid after a plain logout: the browser keeps its proof of an
    # earlier login for the next one.
    out = tab.request("POST", "/api/auth/logout", headers=bearer(tab.access_token))
    assert out.status_code == 200
    assert _cleared(out) == {"mdc_refresh"}
    assert set_cookies(out)["mdc_refresh"].path == "/api/auth"
    assert "mdc_device" not in set_cookies(out)
    assert tab.jar.value("mdc_refresh") is None and tab.jar.value("mdc_device") is not None
    assert tab.refresh().status_code == 401


def test_logout_all_clears_both_cookies(tab: Browser) -> None:
    out = tab.request("POST", "/api/auth/logout-all", headers=bearer(tab.access_token))
    assert out.status_code == 200
    assert _cleared(out) == {"mdc_refresh", "mdc_device"}


def test_account_deletion_clears_both_cookies(
    tab: Browser,
) -> None:
    out = tab.request(
        "DELETE",
        "/api/auth/me",
        headers=bearer(tab.access_token),
        json={"password": PASSWORD},
    )
    assert out.status_code == 204
    assert _cleared(out) == {"mdc_refresh", "mdc_device"}


def test_password_change_clears_the_device_cookie_and_keeps_the_session_cookie(
    tab: Browser,
) -> None:
    out = tab.request(
        "POST",
        "/api/auth/password",
        headers=bearer(tab.access_token),
        json={"current_password": PASSWORD, "new_password": "another-horse-battery"},
    )
    assert out.status_code == 200
    assert _cleared(out) == {"mdc_device"}
    assert "mdc_refresh" not in set_cookies(out)
    assert tab.refresh().status_code == 200  # this session survives the change


# --- Clients without the header ---------------------------------------------------------


def test_without_the_header_login_and_refresh_answer_body_tokens_and_set_no_cookie(
    api: httpx.Client, member: str
) -> None:
    login = api.post("/api/auth/login", json={"email": member, "password": PASSWORD})
    assert login.status_code == 200
    assert {"refresh_token", "device_token"} <= login.json().keys()
    assert set_cookies(login) == {}
    refreshed = api.post("/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    assert refreshed.status_code == 200
    assert "refresh_token" in refreshed.json()
    assert set_cookies(refreshed) == {}


def test_without_the_header_a_refresh_without_a_body_is_still_422(api: httpx.Client) -> None:
    answer = api.post("/api/auth/refresh")
    assert answer.status_code == 422


def test_a_body_token_wins_over_the_cookie(tab: Browser, api: httpx.Client, member: str) -> None:
    other = api.post("/api/auth/login", json={"email": member, "password": PASSWORD}).json()
    cookie_before = tab.jar.value("mdc_refresh")
    answer = tab.refresh(cookie_mode=False, json={"refresh_token": other["refresh_token"]})
    assert answer.status_code == 200
    # The body's session rotated and came back in the body; the cookie's was not touched.
    assert _sid(answer.json()["refresh_token"]) == _sid(other["refresh_token"])
    assert set_cookies(answer) == {}
    assert tab.jar.value("mdc_refresh") == cookie_before
    assert tab.refresh().status_code == 200


# --- Password reset: a new session, in the cookies ------------------------------------------


def _reset_link(api: httpx.Client, email: str, mail_server: MailServer) -> str:
    """The token of a reset link for an account that has had its signup mail only."""
    mail_server.mailbox.wait_for(email)
    assert api.post("/api/auth/password/forgot", json={"email": email}).status_code == 202
    return mail_server.mailbox.wait_for(email, 2)[1].token


def test_reset_in_cookie_mode_sets_the_new_sessions_cookies(
    tab: Browser, member: str, api: httpx.Client, mail_server: MailServer, emulated: bool
) -> None:
    if not emulated:
        pytest.skip("the mails reach this process's SMTP server only through the emulator")
    old = tab.jar.value("mdc_refresh")
    assert old is not None
    token = _reset_link(api, member, mail_server)
    body = {"token": token, "new_password": "another-horse-battery"}

    foreign = tab.request(
        "POST", "/api/auth/password/reset", json=body, headers={"Origin": FOREIGN_ORIGIN}
    )
    assert foreign.status_code == 403  # refused before the link is spent

    answer = tab.request("POST", "/api/auth/password/reset", json=body)
    assert answer.status_code == 200, answer.text
    assert "refresh_token" not in answer.json() and "device_token" not in answer.json()
    issued = set_cookies(answer)
    assert issued.keys() == {"mdc_refresh", "mdc_device"}
    assert _sid(issued["mdc_refresh"].value) != _sid(old)
    assert issued["mdc_refresh"].attributes.keys() >= {"httponly", "secure"}
    assert tab.refresh().status_code == 200  # the new session, from the new cookie
    stale = Browser(str(tab.client.base_url))
    stale.jar.put(SetCookie("mdc_refresh", old, {"path": "/api/auth"}))
    try:
        assert stale.refresh().status_code == 401  # the reset ended the old session
    finally:
        stale.close()
