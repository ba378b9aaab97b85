"""Login limits as an attacker meets them over HTTP: several client IPs, parallel guesses.

Each client binds its socket to its own loopback address (127.0.0.2, 127.0.0.3, …): the
gateway passes the TCP peer as API Gateway's `sourceIp`, so each acts as another client.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.http import PASSWORD, bearer, slow_hash

WRONG = "wrong-password-123"
ClientAt = Callable[[str], httpx.Client]


@pytest.fixture
def client_at(base_url: str, request: pytest.FixtureRequest) -> Iterator[ClientAt]:
    if request.config.getoption("--gateway") == "aws":
        pytest.skip("a deployed API sees this machine's public address, whatever the socket")
    clients: list[httpx.Client] = []

    def make(ip: str) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=ip)
        client = httpx.Client(base_url=base_url, timeout=60, transport=transport)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _login(client: httpx.Client, email: str, password: str = PASSWORD, **extra: Any) -> int:
    body = {"email": email, "password": password, **extra}
    return client.post("/api/auth/login", json=body).status_code


def _loopback(n: int) -> str:
    return f"127.0.0.{n}"


def test_failures_from_one_client_do_not_lock_the_owner_out(
    email: str, signup: Callable[..., httpx.Response], client_at: ClientAt
) -> None:
    signup(email)
    attacker, owner = client_at(_loopback(2)), client_at(_loopback(3))
    assert [_login(attacker, email, WRONG) for _ in range(5)] == [401] * 5
    locked = attacker.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429  # the attacker's pair is locked, even for the right password
    assert int(locked.headers["retry-after"]) >= 1
    assert _login(owner, email) == 200  # the owner, elsewhere, is not


def test_distributed_guessing_trips_the_account_but_a_device_token_gets_through(
    email: str, signup: Callable[..., httpx.Response], client_at: ClientAt
) -> None:
    signup(email)
    owner = client_at(_loopback(4))
    first = owner.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert first.status_code == 200
    device_token = first.json()["device_token"]

    # 21 addresses × 5 guesses: no pair is ever locked, the account-wide limit (100) is.
    statuses: Counter[int] = Counter()
    for n in range(10, 31):
        attacker = client_at(_loopback(n))
        statuses.update(_login(attacker, email, WRONG) for _ in range(5))
    assert statuses[401] == 100 and statuses[429] == 5

    newcomer = client_at(_loopback(40))
    assert _login(newcomer, email) == 429  # right password, but no proof of an earlier login
    assert _login(owner, email, device_token=device_token) == 200
    # The device token is bound to its account: it opens no other one.
    other = f"other-{uuid.uuid4().hex[:8]}@example.com"
    signup(other)
    assert _login(newcomer, other, WRONG, device_token=device_token) == 401


def test_thirty_parallel_guesses_check_at_most_five_passwords(
    base_url: str,
    email: str,
    signup: Callable[..., httpx.Response],
    database_url: str,
    emulated: bool,
) -> None:
    if not emulated:
        pytest.skip("makes the account's hash slow in the emulated API's database")
    signup(email)
    slow_hash(database_url, email)  # bcrypt ~0.3 s: a check-then-record would let many through

    def guess(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            return _login(client, email, WRONG)

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = Counter(pool.map(guess, range(30)))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] <= 5, statuses


def test_device_token_dies_with_logout_all(
    email: str, signup: Callable[..., httpx.Response], client_at: ClientAt, api: httpx.Client
) -> None:
    signup(email)
    owner = client_at(_loopback(5))
    answer = owner.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
    api.post("/api/auth/logout-all", headers=bearer(answer["access_token"]))
    for n in range(50, 71):  # trip the account-wide limit
        attacker = client_at(_loopback(n))
        for _ in range(5):
            _login(attacker, email, WRONG)
    assert _login(owner, email, device_token=answer["device_token"]) == 429
