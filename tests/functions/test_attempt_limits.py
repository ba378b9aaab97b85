"""Limits that successes and sessions cannot slip past, and that nobody can aim at the owner:
every attempt counts per IP and per proof (account, device token, session); a device token is
a lock key of its own with a failure budget of its own; a session that guesses its password
ends itself."""

from __future__ import annotations

from typing import Any

from tests.functions.test_password_and_delete import NEW_PASSWORD, change_password
from tests.support.handlers import PASSWORD, client_ip, login, me, signup

WRONG = "wrong-password-123"
# The production defaults: the test profile raises them, as it does the per-IP failure limit.
DEFAULT_ATTEMPTS = {"LOGIN_ACCOUNT_ATTEMPTS_PER_MIN": 10, "LOGIN_IP_ATTEMPTS_PER_MIN": 60}


def test_forty_correct_logins_from_one_ip_meet_a_429(email: str, override_settings: Any) -> None:
    override_settings(**DEFAULT_ATTEMPTS)
    signup(email)
    ip = client_ip()
    answers = [login(email, ip=ip) for _ in range(40)]
    statuses = [answer.status for answer in answers]
    assert statuses[:10] == [200] * 10
    assert 429 in statuses
    refused = answers[statuses.index(429)]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_correct_logins_to_many_accounts_are_limited_per_ip(
    email: str, override_settings: Any
) -> None:
    override_settings(LOGIN_IP_ATTEMPTS_PER_MIN=5)
    ip = client_ip()
    for i in range(6):
        signup(f"{i}-{email}")
    statuses = [login(f"{i}-{email}", ip=ip).status for i in range(6)]
    assert statuses == [200] * 5 + [429]
    assert login(f"5-{email}", ip=client_ip()).status == 200  # other IPs are unaffected


def test_twenty_password_changes_meet_a_429(email: str, override_settings: Any) -> None:
    override_settings(**DEFAULT_ATTEMPTS)
    signup(email)
    token = login(email, ip=client_ip()).body["access_token"]
    passwords = [PASSWORD, NEW_PASSWORD] * 10
    statuses = [
        change_password(token, current, new, ip=client_ip()).status
        for current, new in zip(passwords, passwords[1:] + [PASSWORD], strict=True)
    ]
    assert statuses[:10] == [200] * 10
    assert 429 in statuses


def test_an_outsiders_flood_blocks_new_clients_but_not_the_owner_with_a_device_token(
    email: str, override_settings: Any
) -> None:
    override_settings(**DEFAULT_ATTEMPTS)
    signup(email)
    device_token = login(email, ip=client_ip()).body["device_token"]
    # With the owner's login, ten attempts this minute from as many addresses: it is full.
    flood = [login(email, WRONG, ip=client_ip()).status for _ in range(9)]
    assert flood == [401] * 9
    assert login(email, WRONG, ip=client_ip()).status == 429
    assert login(email, ip=client_ip()).status == 429  # a browser without proof waits
    owner = login(email, ip=client_ip(), device_token=device_token)
    assert owner.status == 200


def test_a_stolen_device_token_gets_only_a_few_guesses(email: str, override_settings: Any) -> None:
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=2, DEVICE_TOKEN_MAX_FAILURES=5)
    signup(email)
    stolen = login(email, ip=client_ip()).body["device_token"]
    assert [login(email, WRONG, ip=client_ip()).status for _ in range(3)] == [401, 401, 429]
    # Sixty guesses from as many addresses, each with the stolen device token.
    guesses = [
        login(email, f"guess-{i}-password", ip=client_ip(), device_token=stolen).status
        for i in range(60)
    ]
    assert guesses.count(401) <= 5
    assert set(guesses) == {401, 429}
    # Distrusted for good: revoked, it no longer lets even the right password through.
    assert login(email, ip=client_ip(), device_token=stolen).status == 429


def test_a_neighbour_behind_the_same_nat_cannot_lock_the_owner_out(
    email: str, override_settings: Any
) -> None:
    override_settings(LOGIN_MAX_FAILURES=5)
    signup(email)
    shared = client_ip()
    device_token = login(email, ip=shared).body["device_token"]
    assert [login(email, WRONG, ip=shared).status for _ in range(5)] == [401] * 5
    assert login(email, ip=shared).status == 429  # the (account, IP) lock
    # The owner's device token is a lock key of its own: its failures count, not the IP's.
    assert login(email, WRONG, ip=shared, device_token=device_token).status == 401
    assert login(email, ip=shared, device_token=device_token).status == 200


def test_a_stolen_session_cannot_block_the_owners_password_change(
    email: str, override_settings: Any
) -> None:
    override_settings(PASSWORD_CONFIRM_MAX_FAILURES=10, PASSWORD_CONFIRM_SESSION_MAX_FAILURES=3)
    signup(email)
    owner = login(email, ip=client_ip()).body["access_token"]
    thief = login(email, ip=client_ip()).body["access_token"]
    statuses = [change_password(thief, f"guess-{i}-pw", ip=client_ip()).status for i in range(10)]
    assert statuses == [401] * 10
    assert me(thief).status == 401  # the guessing session ended itself
    assert change_password(owner, PASSWORD, ip=client_ip()).status == 200
