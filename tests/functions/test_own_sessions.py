"""The user's own sessions: listed with where they are used from, signed out one by one."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.handlers import PASSWORD, bearer, client_ip, me, refresh
from tests.support.lambda_events import Answer, http_event, invoke

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def login_from(email: str, ip: str, agent: str) -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD}
    event = http_event(
        "POST", "/api/auth/login", body=body, source_ip=ip, headers={"user-agent": agent}
    )
    answer = invoke("login", event)
    assert answer.status == 200, answer
    return dict(answer.body)


def list_sessions(access_token: str, query: str = "") -> Answer:
    event = http_event("GET", "/api/auth/sessions", headers=bearer(access_token))
    if query:
        event["rawQueryString"] = query
    return invoke("sessions", event)


def revoke(access_token: str, session_id: str) -> Answer:
    path = f"/api/auth/sessions/{session_id}"
    return invoke("sessions", http_event("DELETE", path, headers=bearer(access_token)))


def test_sessions_list_where_each_is_used_from_and_which_is_mine(
    account: dict[str, Any],
) -> None:
    email = account["user"]["email"]
    laptop_ip, phone_ip = client_ip(), client_ip()
    laptop = login_from(email, laptop_ip, FIREFOX)
    login_from(email, phone_ip, IPHONE)

    answer = list_sessions(laptop["access_token"])
    assert answer.status == 200, answer
    items = answer.body["items"]
    assert answer.body["next_cursor"] is None
    assert len(items) == 3  # the fixture's login too
    assert set(items[0]) == {
        "id", "created_at", "last_used_at", "ip", "user_agent", "browser", "os", "current",
    }  # fmt: skip
    phone, mine = items[0], items[1]  # newest login first
    assert (phone["ip"], phone["browser"], phone["os"], phone["current"]) == (
        phone_ip, "Mobile Safari", "iOS", False,
    )  # fmt: skip
    assert (mine["ip"], mine["user_agent"], mine["browser"], mine["os"], mine["current"]) == (
        laptop_ip, FIREFOX, "Firefox", "Ubuntu", True,
    )  # fmt: skip
    assert [item["current"] for item in items].count(True) == 1


def test_a_refresh_moves_last_used_at_and_the_ip(account: dict[str, Any]) -> None:
    before = list_sessions(account["access_token"]).body["items"][0]
    ip = client_ip()
    event = http_event(
        "POST", "/api/auth/refresh", body={"refresh_token": account["refresh_token"]}, source_ip=ip
    )
    fresh = invoke("refresh", event).body
    after = list_sessions(fresh["access_token"]).body["items"][0]
    assert after["id"] == before["id"]
    assert after["created_at"] == before["created_at"]
    assert after["last_used_at"] > before["last_used_at"]
    assert after["ip"] == ip


def test_signing_a_session_out_kills_its_access_and_refresh_tokens_at_once(
    account: dict[str, Any],
) -> None:
    email = account["user"]["email"]
    other = login_from(email, client_ip(), IPHONE)
    target = list_sessions(other["access_token"]).body["items"][0]
    assert target["current"] is True

    answer = revoke(account["access_token"], target["id"])
    assert (answer.status, answer.body) == (204, "")
    assert me(other["access_token"]).status == 401
    assert refresh(other["refresh_token"]).status == 401
    assert me(account["access_token"]).status == 200
    ids = [item["id"] for item in list_sessions(account["access_token"]).body["items"]]
    assert target["id"] not in ids


def test_another_users_session_is_404_and_stays_alive(account: dict[str, Any], email: str) -> None:
    from tests.support.handlers import login, signup

    stranger_email = "stranger-" + email
    assert signup(stranger_email).status == 201
    stranger = login(stranger_email).body
    their_session = list_sessions(stranger["access_token"]).body["items"][0]["id"]

    for session_id in (their_session, str(uuid.uuid4())):
        answer = revoke(account["access_token"], session_id)
        assert (answer.status, answer.body) == (404, {"detail": "Not found"})
    assert me(stranger["access_token"]).status == 200
    assert revoke(account["access_token"], "not-a-uuid").status == 422


def test_sessions_page_with_a_cursor(account: dict[str, Any]) -> None:
    email = account["user"]["email"]
    for _ in range(2):
        login_from(email, client_ip(), FIREFOX)
    first = list_sessions(account["access_token"], "limit=2").body
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = list_sessions(account["access_token"], f"limit=2&cursor={first['next_cursor']}").body
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(set(ids)) == 3
    assert list_sessions(account["access_token"], "limit=0").status == 422
    assert list_sessions(account["access_token"], "limit=101").status == 422
    bad = list_sessions(account["access_token"], "cursor=bm90LWEtY3Vyc29y")
    assert (bad.status, bad.body) == (400, {"detail": "Invalid cursor"})


def test_sessions_need_a_live_access_token(account: dict[str, Any]) -> None:
    assert list_sessions("not-a-token").status == 401
    assert list_sessions(account["refresh_token"]).status == 401
