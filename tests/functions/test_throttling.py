from __future__ import annotations

import time
from typing import Any

from tests.functions.test_logout_all import logout_all
from tests.functions.test_password_and_delete import NEW_PASSWORD, change_password
from tests.support.handlers import PASSWORD, client_ip, login, me, signup

TOO_MANY = {"detail": "Too many attempts, try again later"}
WRONG = "wrong-password-123"


def _fail(email: str, times: int, ip: str) -> list[int]:
    return [login(email, WRONG, ip=ip).status for _ in range(times)]


def test_five_failures_lock_that_client_even_for_the_right_password(email: str) -> None:
    signup(email)
    ip = client_ip()
    assert _fail(email, 5, ip) == [401] * 5
    locked = login(email, ip=ip)
    assert locked.status == 429
    assert locked.body == TOO_MANY
    assert int(locked.headers["retry-after"]) >= 1


def test_the_owner_elsewhere_is_not_locked_out_by_someone_elses_failures(email: str) -> None:
    signup(email)
    assert _fail(email, 5, client_ip()) == [401] * 5
    assert login(email, ip=client_ip()).status == 200


def test_backoff_doubles_per_failure_up_to_the_cap(email: str, override_settings: Any) -> None:
    override_settings(LOGIN_MAX_FAILURES=1, LOGIN_LOCKOUT_CAP_S=8)
    signup(email)
    ip = client_ip()
    waits = []
    for _ in range(5):
        assert login(email, WRONG, ip=ip).status == 401
        waits.append(int(login(email, ip=ip).headers["retry-after"]))
        _wait_out_the_lock(email, ip)
    assert waits == [1, 2, 4, 8, 8]


def _wait_out_the_lock(email: str, ip: str) -> None:
    """Clear the lock, never the count (the count is what decides the next lock's length)."""
    from mdcreator.auth import limits
    from mdcreator.infra.redis import get_redis

    redis = get_redis()
    field = limits.client_key(ip)
    failures, _, last, in_flight = redis.hget(limits.failures_key(email), field).split(":")
    redis.hset(limits.failures_key(email), field, f"{failures}:0:{last}:{in_flight}")


def test_the_count_outlives_the_longest_lock_so_backoff_never_restarts() -> None:
    from mdcreator.core.config import Settings

    settings = Settings()
    assert settings.login_failure_window_s >= 24 * 3600
    assert settings.login_failure_window_s > 10 * settings.login_lockout_cap_s


def test_a_lock_that_ran_out_comes_back_longer(email: str, override_settings: Any) -> None:
    override_settings(LOGIN_MAX_FAILURES=2)
    signup(email)
    ip = client_ip()
    assert _fail(email, 2, ip) == [401, 401]
    assert login(email, ip=ip).headers["retry-after"] == "1"
    time.sleep(1.1)  # 2^(2-2) = 1 s
    assert login(email, WRONG, ip=ip).status == 401
    assert login(email, ip=ip).headers["retry-after"] == "2"  # n=3: 2 s, not 1 s again


def test_a_correct_login_clears_that_clients_count(email: str, override_settings: Any) -> None:
    override_settings(LOGIN_MAX_FAILURES=3)
    signup(email)
    ip = client_ip()
    assert _fail(email, 2, ip) == [401, 401]
    assert login(email, ip=ip).status == 200
    assert _fail(email, 2, ip) == [401, 401]  # counted from zero again
    assert login(email, ip=ip).status == 200


def test_account_wide_limit_refuses_new_clients_but_not_a_device_token(
    email: str, override_settings: Any
) -> None:
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=6)
    signup(email)
    device_token = login(email, ip=client_ip()).body["device_token"]
    for _ in range(3):
        assert _fail(email, 2, client_ip()) == [401, 401]
    refused = login(email, ip=client_ip())
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) > 3600  # until the oldest failure is a day old
    assert login(email, ip=client_ip(), device_token=device_token).status == 200
    assert login(email, ip=client_ip(), device_token="forged-" + device_token).status == 429


def test_device_token_of_another_account_opens_nothing(email: str, override_settings: Any) -> None:
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=2)
    signup(email)
    signup("other-" + email)
    foreign = login("other-" + email, ip=client_ip()).body["device_token"]
    assert _fail(email, 2, client_ip()) == [401, 401]
    assert login(email, ip=client_ip(), device_token=foreign).status == 429


def test_device_tokens_die_with_logout_all_and_password_change(
    email: str, override_settings: Any
) -> None:
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=2)
    signup(email)
    first = login(email, ip=client_ip()).body
    second = login(email, ip=client_ip()).body
    logout_all(first["access_token"])
    third = login(email, ip=client_ip()).body
    assert change_password(third["access_token"], PASSWORD).status == 200
    assert _fail(email, 2, client_ip()) == [401, 401]
    for answer in (first, second, third):
        ip = client_ip()
        trusted = login(email, NEW_PASSWORD, ip=ip, device_token=answer["device_token"])
        assert trusted.status == 429


def test_failures_per_ip_are_limited_across_accounts(override_settings: Any) -> None:
    override_settings(LOGIN_IP_MAX_FAILURES=3, LOGIN_IP_WINDOW_S=60)
    ip = client_ip()
    statuses = [login(f"nobody{i}@example.com", PASSWORD, ip=ip).status for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login("another@example.com", ip=client_ip()).status == 401  # other IPs unaffected


def test_ipv6_clients_are_limited_by_their_64(override_settings: Any) -> None:
    override_settings(LOGIN_IP_MAX_FAILURES=2, LOGIN_IP_WINDOW_S=60)
    prefix = client_ip().removesuffix("::1")  # one /64, three interface ids
    statuses = [
        login(f"nobody{i}@example.com", PASSWORD, ip=f"{prefix}:{i}::{i}").status for i in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_signup_is_limited_per_ip(override_settings: Any, email: str) -> None:
    override_settings(SIGNUP_IP_MAX=2, SIGNUP_IP_WINDOW_S=60)
    ip = client_ip()
    statuses = [signup(f"{i}-{email}", ip=ip).status for i in range(3)]
    assert statuses == [201, 201, 429]
    assert signup(f"x-{email}", ip=client_ip()).status == 201


def test_wrong_current_passwords_end_the_session_that_gives_them(email: str) -> None:
    signup(email)
    token = login(email, ip=client_ip()).body["access_token"]
    answers = [change_password(token, WRONG) for _ in range(5)]
    assert [answer.status for answer in answers] == [401] * 5
    details = [answer.body["detail"] for answer in answers]
    assert details == ["Incorrect password"] * 3 + ["Could not validate credentials"] * 2
    assert me(token).status == 401


def test_a_stolen_session_cannot_guess_the_password_from_many_clients(
    email: str, override_settings: Any
) -> None:
    # The password gates email change and deletion: guessing it through a stolen session from
    # a fresh /64 each time would otherwise meet only each client's own lock. The backstop
    # per account, behind each session's own budget (raised here to show the backstop).
    override_settings(PASSWORD_CONFIRM_MAX_FAILURES=3, PASSWORD_CONFIRM_SESSION_MAX_FAILURES=10)
    signup(email)
    token = login(email, ip=client_ip()).body["access_token"]
    statuses = [change_password(token, WRONG, ip=client_ip()).status for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # The right password too: the limit is checked before the password is.
    assert change_password(token, PASSWORD, ip=client_ip()).status == 429
    # Only sessions count against it: the owner's logins are not limited by it.
    assert login(email, ip=client_ip()).status == 200


def test_outsiders_tripping_the_account_wide_limit_leave_the_owners_session_its_password(
    email: str, override_settings: Any
) -> None:
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=2)
    signup(email)
    token = login(email, ip=client_ip()).body["access_token"]
    assert [login(email, WRONG, ip=client_ip()).status for _ in range(3)] == [401, 401, 429]
    assert change_password(token, PASSWORD, ip=client_ip()).status == 200
