"""Cookie mode in the handlers: the device cookie at login, and what settings decide
(the cookies' lifetime, SameSite, the SPA's origins). The HTTP rules are in tests/integration."""

from __future__ import annotations

from typing import Any

from tests.support.cookies import SetCookie, parse_set_cookie
from tests.support.handlers import PASSWORD, client_ip, signup
from tests.support.lambda_events import Answer, http_event, invoke

SPA = "http://localhost:5173"
WRONG = "wrong-password-123"


def _login(
    email: str,
    *,
    password: str = PASSWORD,
    cookie_mode: bool = True,
    origin: str = SPA,
    cookies: dict[str, str] | None = None,
) -> Answer:
    headers = {"origin": origin, **({"x-refresh-token-mode": "cookie"} if cookie_mode else {})}
    body = {"email": email, "password": password}
    event = http_event(
        "POST",
        "/api/auth/login",
        body=body,
        headers=headers,
        source_ip=client_ip(),
        cookies=cookies,
    )
    return invoke("login", event)


def _refresh(refresh_cookie: str) -> Answer:
    headers = {"origin": SPA, "x-refresh-token-mode": "cookie"}
    cookies = {"mdc_refresh": refresh_cookie}
    return invoke(
        "refresh", http_event("POST", "/api/auth/refresh", headers=headers, cookies=cookies)
    )


def _set(answer: Answer) -> dict[str, SetCookie]:
    return {cookie.name: cookie for cookie in map(parse_set_cookie, answer.cookies)}


def test_in_cookie_mode_the_device_cookie_passes_the_account_wide_limit(
    email: str, override_settings: Any
) -> None:
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=4)
    signup(email)
    device = _set(_login(email))["mdc_device"].value
    assert [_login(email, password=WRONG).status for _ in range(4)] == [401] * 4
    assert _login(email).status == 429
    assert _login(email, cookies={"mdc_device": device}).status == 200
    # A client without cookie mode names its device token in the body: the cookie is not read.
    assert _login(email, cookie_mode=False, cookies={"mdc_device": device}).status == 429
    # A mangled cookie counts as none: the answer a login without one gets, never a 422.
    assert _login(email, cookies={"mdc_device": "x" * 300}).status == 429


def test_the_refresh_cookie_lives_as_long_as_what_is_left_of_the_session(
    email: str, override_settings: Any
) -> None:
    override_settings(SESSION_MAX_AGE_DAYS=1)  # shorter than the refresh token's 30 days
    signup(email)
    first = _set(_login(email))["mdc_refresh"]
    assert first.max_age is not None and 86_400 - 5 <= first.max_age <= 86_400
    rotated = _refresh(first.value)
    assert rotated.status == 200
    second = _set(rotated)["mdc_refresh"]
    assert second.max_age is not None and second.max_age <= first.max_age


def test_samesite_follows_the_setting_and_the_cookies_stay_secure(
    email: str, override_settings: Any
) -> None:
    override_settings(COOKIE_SAMESITE="None")  # an SPA on another site
    signup(email)
    cookies = _set(_login(email))
    assert set(cookies) == {"mdc_refresh", "mdc_device"}
    for cookie in cookies.values():
        assert cookie.attributes["samesite"].lower() == "none"
        assert {"secure", "httponly"} <= cookie.attributes.keys()


def test_the_spa_origins_are_the_setting(email: str, override_settings: Any) -> None:
    override_settings(CORS_ORIGINS="https://app.mdcreator.example")
    signup(email)
    refused = _login(email)  # from http://localhost:5173, no longer an SPA origin
    assert refused.status == 403
    assert refused.body == {"detail": "Origin not allowed"}
    assert refused.cookies == []
    assert _login(email, origin="https://app.mdcreator.example").status == 200


def test_logout_keeps_the_device_cookie_so_outsiders_cannot_lock_the_owner_out(
    email: str, override_settings: Any
) -> None:
    from tests.support.handlers import bearer

    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=3)
    signup(email)
    issued = _set(_login(email))
    access = _login(email).body["access_token"]
    headers = {**bearer(access), "origin": SPA, "x-refresh-token-mode": "cookie"}
    out = invoke("logout", http_event("POST", "/api/auth/logout", headers=headers))
    assert out.status == 200
    cleared = _set(out)
    assert cleared["mdc_refresh"].max_age == 0
    assert "mdc_device" not in cleared
    # Outsiders trip the account-wide limit; the browser's kept device cookie still logs in.
    assert [_login(email, password=WRONG).status for _ in range(3)] == [401] * 3
    device = {"mdc_device": issued["mdc_device"].value}
    assert _login(email, cookies=device).status == 200


def test_two_refresh_cookies_are_refused_and_spend_neither(email: str) -> None:
    # A sibling subdomain can plant its own mdc_refresh (Domain=.example.com) beside ours:
    # taking the last one would log the victim into the planter's session.
    signup(email)
    mine = _set(_login(email))["mdc_refresh"].value
    planted = _set(_login(email))["mdc_refresh"].value
    headers = {"origin": SPA, "x-refresh-token-mode": "cookie"}
    event = http_event("POST", "/api/auth/refresh", headers=headers)
    event["cookies"] = [f"mdc_refresh={planted}", f"mdc_refresh={mine}"]
    answer = invoke("refresh", event)
    assert answer.status == 400
    assert "more than one" in answer.body["detail"]
    assert _refresh(mine).status == 200
    assert _refresh(planted).status == 200
