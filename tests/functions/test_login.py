from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.functions.conftest import PASSWORD, login, signup

INCORRECT = {"detail": "Incorrect email or password"}


def test_login_returns_token_pair_and_user(email: str) -> None:
    signup(email)
    answer = login(email)
    assert answer.status == 200
    assert answer.body["token_type"] == "bearer"
    assert answer.body["access_token"] != answer.body["refresh_token"]
    assert answer.body["expires_in"] == 15 * 60
    assert answer.body["user"]["email"] == email


def test_login_is_case_insensitive_on_email(email: str) -> None:
    signup(email)
    assert login(email.upper()).status == 200


def test_login_updates_last_seen_at(email: str) -> None:
    created = signup(email).body
    before = datetime.fromisoformat(created["last_seen_at"])
    seen = datetime.fromisoformat(login(email).body["user"]["last_seen_at"])
    assert seen > before
    assert seen <= datetime.now(UTC)


def test_wrong_password_and_unknown_email_get_the_same_401(email: str) -> None:
    signup(email)
    wrong = login(email, "wrong-password-123")
    unknown = login("nobody-" + email, PASSWORD)
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body == INCORRECT


def test_soft_deleted_user_cannot_log_in(email: str) -> None:
    from sqlalchemy import update

    from mdcreator.db import get_engine
    from mdcreator.models import User

    signup(email)
    with get_engine().begin() as connection:
        connection.execute(
            update(User).where(User.email == email).values(deleted_at=datetime.now(UTC))
        )
    answer = login(email)
    assert answer.status == 401
    assert answer.body == INCORRECT


@pytest.mark.parametrize("password", ["a" * 73, "pass\x00word"])
def test_login_rejects_passwords_bcrypt_would_mangle(email: str, password: str) -> None:
    assert login(email, password).status == 422


def _median_login_seconds(email: str, password: str, runs: int = 15) -> float:
    samples: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        answer: Any = login(email, password)
        samples.append(time.perf_counter() - start)
        assert answer.status == 401
    return statistics.median(samples)


def test_unknown_email_costs_a_bcrypt_check_like_a_wrong_password(
    email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a cost where bcrypt dominates, skipping the check for unknown users would halve
    # the time; the dummy check keeps both answers within the noise of each other.
    from mdcreator.config import get_settings

    monkeypatch.setenv("BCRYPT_ROUNDS", "10")
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "1000")
    get_settings.cache_clear()
    try:
        signup(email)
        wrong = _median_login_seconds(email, "wrong-password-123")
        unknown = _median_login_seconds("nobody-" + email, "wrong-password-123")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert unknown == pytest.approx(wrong, rel=0.35)
