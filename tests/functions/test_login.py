from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.handlers import PASSWORD, client_ip, login, signup

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

    from mdcreator.auth.models import User
    from mdcreator.infra.db import get_engine

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


def _login_seconds(email: str) -> float:
    start = time.perf_counter()
    answer: Any = login(email, "wrong-password-123", ip=client_ip())
    assert answer.status == 401
    return time.perf_counter() - start


def test_unknown_email_costs_a_bcrypt_check_like_a_wrong_password(
    email: str, override_settings: Any
) -> None:
    # With a cost where bcrypt dominates (~0.1 s), skipping the check for unknown users would
    # answer in a few ms. Samples alternate, so both kinds see the same machine load.
    override_settings(BCRYPT_ROUNDS=11, LOGIN_MAX_FAILURES=1000)
    signup(email)
    wrong, unknown = [], []
    for _ in range(7):
        wrong.append(_login_seconds(email))
        unknown.append(_login_seconds("nobody-" + email))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.6 < ratio < 1.6


def test_login_answers_are_never_cached(email: str) -> None:
    signup(email)
    assert login(email).headers["cache-control"] == "no-store"


def test_login_rehashes_a_password_stored_at_a_lower_cost(
    email: str, override_settings: Any
) -> None:
    signup(email)  # cost 4
    override_settings(BCRYPT_ROUNDS=5)
    assert login(email).status == 200
    assert _stored_hash(email).startswith("$2b$05$")
    assert login(email).status == 200


def test_passwords_are_compared_after_nfkc_normalisation(email: str) -> None:
    assert signup(email, "Ｐａｓｓｗｏｒｄ１２").status == 201  # full-width letters and digits
    assert login(email, "Password12").status == 200
    assert login(email, "Ｐａｓｓｗｏｒｄ１２").status == 200


def test_a_hash_of_a_password_stored_before_normalisation_still_logs_in(email: str) -> None:
    import bcrypt
    from sqlalchemy import update

    from mdcreator.auth.models import User
    from mdcreator.infra.db import get_engine

    signup(email)
    legacy = bcrypt.hashpw("Ｐａｓｓｗｏｒｄ１２".encode(), bcrypt.gensalt(4)).decode()
    with get_engine().begin() as connection:
        connection.execute(update(User).where(User.email == email).values(password_hash=legacy))
    assert login(email, "Ｐａｓｓｗｏｒｄ１２").status == 200
    assert login(email, "Password12").status == 200  # rehashed in the normalised form


def _stored_hash(email: str) -> str:
    from sqlalchemy import select

    from mdcreator.auth.models import User
    from mdcreator.infra.db import get_engine

    with get_engine().connect() as connection:
        return str(connection.scalar(select(User.password_hash).where(User.email == email)))
