from __future__ import annotations

import time
from typing import Any

from tests.functions.conftest import PASSWORD, client_ip, login, signup

TOO_MANY = {"detail": "Too many attempts, try again later"}


def _fail(email: str, times: int, ip: str = "203.0.113.10") -> list[int]:
    return [login(email, "wrong-password-123", ip=ip).status for _ in range(times)]


def test_five_failures_lock_the_account_even_for_the_right_password(email: str) -> None:
    signup(email)
    assert _fail(email, 5) == [401] * 5
    locked = login(email)
    assert locked.status == 429
    assert locked.body == TOO_MANY
    assert int(locked.headers["retry-after"]) >= 1


def test_lock_grows_exponentially(email: str, override_settings: Any) -> None:
    from mdcreator import limits

    override_settings(LOGIN_MAX_FAILURES=1)
    waits = []
    for _ in range(5):
        limits.record_login_failure(email, client_ip())
        waits.append(int(login(email, ip=client_ip()).headers["retry-after"]))
    assert waits == [1, 2, 4, 8, 16]


def test_after_the_lock_a_correct_login_works_and_resets_the_count(
    email: str, override_settings: Any
) -> None:
    override_settings(LOGIN_MAX_FAILURES=2)
    signup(email)
    assert _fail(email, 2) == [401, 401]
    assert login(email).status == 429
    time.sleep(1.1)  # 2^(2-2) = 1 s
    assert login(email).status == 200
    assert _fail(email, 1) == [401]  # the count started again from zero
    assert login(email).status == 200


def test_lock_is_capped(email: str, override_settings: Any) -> None:
    override_settings(LOGIN_MAX_FAILURES=1, LOGIN_LOCKOUT_CAP_S=3)
    from mdcreator import limits

    signup(email)
    for _ in range(12):
        limits.record_login_failure(email, "203.0.113.10")
    assert int(login(email).headers["retry-after"]) <= 3


def test_failures_per_ip_are_limited_across_accounts(override_settings: Any) -> None:
    override_settings(LOGIN_IP_MAX_FAILURES=3, LOGIN_IP_WINDOW_S=60)
    ip = client_ip()
    statuses = [login(f"nobody{i}@example.com", PASSWORD, ip=ip).status for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login("another@example.com", ip=client_ip()).status == 401  # other IPs unaffected


def test_signup_is_limited_per_ip(override_settings: Any, email: str) -> None:
    override_settings(SIGNUP_IP_MAX=2, SIGNUP_IP_WINDOW_S=60)
    ip = client_ip()
    statuses = [signup(f"{i}-{email}", ip=ip).status for i in range(3)]
    assert statuses == [201, 201, 429]
    assert signup(f"x-{email}", ip=client_ip()).status == 201
