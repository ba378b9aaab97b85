import time
from collections.abc import Callable

import pytest

from mdcreator.auth.passwords import check_password, hash_password, verify_dummy_password


def test_hash_then_check_round_trip() -> None:
    hashed = hash_password("correct-horse-battery")
    assert hashed.startswith("$2b$04$")
    assert check_password("correct-horse-battery", hashed).matches
    assert not check_password("correct-horse-batterx", hashed).matches


def test_hashes_are_salted() -> None:
    assert hash_password("same-password") != hash_password("same-password")


def test_72_byte_boundary_is_not_truncated_silently() -> None:
    hashed = hash_password("a" * 72)
    assert not check_password("a" * 71, hashed).matches
    assert not check_password("a" * 73, hashed).matches  # truncation would make this match


def test_a_hash_below_the_configured_cost_asks_for_a_rehash(
    override_settings: Callable[..., None],
) -> None:
    hashed = hash_password("correct-horse-battery")  # cost 4
    assert not check_password("correct-horse-battery", hashed).needs_rehash
    override_settings(BCRYPT_ROUNDS=5)
    assert check_password("correct-horse-battery", hashed).needs_rehash


def _cpu_seconds(check: Callable[[], object], runs: int = 5) -> float:
    """The least CPU time of a few runs: other processes' load does not count."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        check()
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize(
    "password",
    ["wrong-password", "🔑" * 18, "ﬁ" * 12],
    ids=["ascii", "72-utf8-bytes", "changed-by-nfkc"],
)
def test_dummy_check_costs_what_checking_a_real_hash_costs(
    override_settings: Callable[..., None], password: str
) -> None:
    # An unknown email must answer in the time of a wrong password, whatever the password: the
    # dummy check is a real bcrypt check at the configured cost, run on both forms of a
    # password that NFKC changes, as a real check is. Rounds 8: ~15 ms of CPU a check.
    override_settings(BCRYPT_ROUNDS=8)
    stored = hash_password("correct-horse-battery")
    dummy = _cpu_seconds(lambda: verify_dummy_password(password))
    real = _cpu_seconds(lambda: check_password(password, stored))
    assert 0.7 < dummy / real < 1.4
