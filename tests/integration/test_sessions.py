"""Session stories over HTTP: rotation and reuse, refresh retries, logout-all, password change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.http import bearer, slow_hash

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


def test_twenty_parallel_refreshes_of_one_token_all_get_the_same_child(
    base_url: str, account: dict[str, Any], api: httpx.Client
) -> None:
    # Two tabs, or a retry whose first answer got lost: nobody is logged out.
    def attempt(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return _refresh(client, account["refresh_token"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(attempt, range(20)))
    assert [answer.status_code for answer in answers] == [200] * 20
    children = {answer.json()["refresh_token"] for answer in answers}
    assert len(children) == 1
    assert all(_me(api, answer.json()["access_token"]) == 200 for answer in answers)
    # Whoever rotates the shared child next turns the other's later use into a reuse.
    grandchild = _refresh(api, answers[0].json()["refresh_token"])
    assert grandchild.status_code == 200
    assert _refresh(api, account["refresh_token"]).status_code == 401
    assert _me(api, grandchild.json()["access_token"]) == 401


def test_token_answers_are_never_cached(api: httpx.Client, account: dict[str, Any]) -> None:
    answer = _refresh(api, account["refresh_token"])
    assert answer.headers["cache-control"] == "no-store"
    login = api.post(
        "/api/auth/login",
        json={"email": account["user"]["email"], "password": "correct-horse-battery"},
    )
    assert login.headers["cache-control"] == "no-store"


def test_no_session_born_from_the_old_password_survives_its_change(
    base_url: str,
    api: httpx.Client,
    account: dict[str, Any],
    database_url: str,
    emulated: bool,
) -> None:
    if not emulated:
        pytest.skip("makes the account's hash slow in the emulated API's database")
    email = account["user"]["email"]
    # Each login now spends ~0.3 s between reading the hash and creating its session.
    slow_hash(database_url, email)
    body = {"email": email, "password": "correct-horse-battery"}
    stop = threading.Event()
    flowing = threading.Event()
    born: list[dict[str, Any]] = []
    # (sent, answered) of every login, to show that logins ran while the password changed.
    attempts: list[tuple[float, float]] = []

    def keep_logging_in() -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            while not stop.is_set():
                sent = time.monotonic()
                answer = client.post("/api/auth/login", json=body)
                attempts.append((sent, time.monotonic()))
                if answer.status_code == 200:
                    born.append(answer.json())
                    flowing.set()

    workers = [threading.Thread(target=keep_logging_in) for _ in range(3)]
    for worker in workers:
        worker.start()
    # A loaded machine may take seconds for the first login; the change waits for it.
    assert flowing.wait(60), "no login succeeded before the change"
    change_sent = time.monotonic()
    changed = api.post(
        "/api/auth/password",
        json={"current_password": "correct-horse-battery", "new_password": "new-passphrase-1"},
        headers=bearer(account["access_token"]),
    )
    change_answered = time.monotonic()
    stop.set()
    for worker in workers:
        worker.join()
    assert any(sent < change_answered and change_sent < done for sent, done in attempts), (
        "no login overlapped the change"
    )
    assert changed.status_code == 200
    survivors = [s for s in born if _me(api, s["access_token"]) != 401]
    assert survivors == []
    assert all(_refresh(api, s["refresh_token"]).status_code == 401 for s in born)
    assert _me(api, account["access_token"]) == 200  # the session that made the change stays


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
