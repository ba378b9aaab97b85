"""Issue 4's stories over HTTP: rotation and reuse, logout-all, lockout, the refresh race."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.integration.conftest import bearer

Call = Callable[..., httpx.Response]


def _refresh(api: httpx.Client, token: str) -> httpx.Response:
    return api.post("/api/auth/refresh", json={"refresh_token": token})


def _me(api: httpx.Client, token: str) -> int:
    return api.get("/api/auth/me", headers=bearer(token)).status_code


def test_refresh_refresh_then_reuse_of_the_first_kills_the_session(
    api: httpx.Client, account: dict[str, Any]
) -> None:
    second = _refresh(api, account["refresh_token"])
    assert second.status_code == 200
    third = _refresh(api, second.json()["refresh_token"])
    assert third.status_code == 200
    assert _refresh(api, account["refresh_token"]).status_code == 401
    assert _me(api, third.json()["access_token"]) == 401
    assert _refresh(api, third.json()["refresh_token"]).status_code == 401


def test_logout_all_kills_the_tokens_of_two_other_logins(
    api: httpx.Client, account: dict[str, Any], login: Call
) -> None:
    email = account["user"]["email"]
    others = [login(email).json() for _ in range(2)]
    assert all(_me(api, other["access_token"]) == 200 for other in others)
    answer = api.post("/api/auth/logout-all", headers=bearer(account["access_token"]))
    assert answer.status_code == 200
    assert [_me(api, other["access_token"]) for other in others] == [401, 401]
    assert [_refresh(api, o["refresh_token"]).status_code for o in others] == [401, 401]


def test_lockout_then_429_then_a_correct_login_after_the_window(
    email: str, signup: Call, login: Call
) -> None:
    signup(email)
    assert [login(email, "wrong-password-123").status_code for _ in range(5)] == [401] * 5
    locked = login(email)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) >= 1
    time.sleep(int(locked.headers["retry-after"]) + 0.2)
    assert login(email).status_code == 200


def test_parallel_refresh_race_has_exactly_one_winner(
    base_url: str, account: dict[str, Any]
) -> None:
    def attempt(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return _refresh(client, account["refresh_token"]).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(attempt, range(20)))
    assert statuses.count(200) == 1
    assert statuses.count(401) == 19


def test_profile_update_and_password_change_over_http(
    api: httpx.Client, account: dict[str, Any], login: Call
) -> None:
    token = account["access_token"]
    patched = api.patch("/api/auth/me", json={"bio": "hello"}, headers=bearer(token))
    assert patched.status_code == 200
    assert patched.json()["bio"] == "hello"
    changed = api.post(
        "/api/auth/password",
        json={"current_password": "correct-horse-battery", "new_password": "new-passphrase-1"},
        headers=bearer(token),
    )
    assert changed.status_code == 200
    assert login(account["user"]["email"], "new-passphrase-1").status_code == 200


def test_delete_account_over_http(api: httpx.Client, account: dict[str, Any], login: Call) -> None:
    answer = api.request(
        "DELETE",
        "/api/auth/me",
        json={"password": "correct-horse-battery"},
        headers=bearer(account["access_token"]),
    )
    assert answer.status_code == 204
    assert login(account["user"]["email"]).status_code == 401
