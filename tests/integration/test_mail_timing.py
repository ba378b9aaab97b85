"""No account oracle on forgot: known and unknown addresses answer in the same time, over
HTTP through the emulation, with the relay slow (300 ms a mail), down, or hung.

Compared by medians of interleaved requests, with a tolerance below the difference an
unpadded answer shows (measured: 50 ms down, 375 ms slow, 600 ms hung) and far above the
padded answers' spread (a few ms).
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.http import PASSWORD
from tests.support.mail import MailServer

ROUNDS = 5
TOLERANCE_S = 0.04
ACCEPTED = {"message": "If the address has an account, a reset link is on its way"}


@pytest.fixture(scope="module", autouse=True)
def _only_emulated(emulated: bool) -> None:
    if not emulated:
        pytest.skip("the relay's modes are switched in this process: only through the emulator")


@pytest.fixture
def relay(mail_server: MailServer) -> Iterator[MailServer]:
    yield mail_server
    mail_server.resume()


def _slow(server: MailServer) -> None:
    server.mailbox.delay_s = 0.3


MODES: dict[str, Callable[[MailServer], None]] = {
    "slow-300ms": _slow,
    "down": MailServer.stop,
    "hung": MailServer.hang,
}


def _timed_forgot(api: httpx.Client, email: str) -> float:
    started = time.perf_counter()
    answer = api.post("/api/auth/password/forgot", json={"email": email})
    elapsed = time.perf_counter() - started
    assert (answer.status_code, answer.json()) == (202, ACCEPTED)
    return elapsed


@pytest.mark.parametrize("mode", list(MODES))
def test_forgot_takes_the_same_time_for_known_and_unknown_addresses(
    api: httpx.Client, relay: MailServer, mode: str
) -> None:
    # One account per round: the per-mailbox limit (3 an hour) stays out of the way.
    known = [f"known-{uuid.uuid4().hex[:10]}@example.com" for _ in range(ROUNDS)]
    for email in known:
        assert api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).is_success
    _timed_forgot(api, f"warm-{uuid.uuid4().hex}@example.com")  # no cold start in the figures
    MODES[mode](relay)
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for email in known:
        timings["known"].append(_timed_forgot(api, email))
        timings["unknown"].append(_timed_forgot(api, f"nobody-{uuid.uuid4().hex}@example.com"))
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    assert abs(medians["known"] - medians["unknown"]) < TOLERANCE_S, timings
    if mode == "slow-300ms":
        assert all(relay.mailbox.wait_for(email) for email in known)  # the mails did go out
