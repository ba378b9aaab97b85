"""Many clients at once over HTTP: the database and Redis decide, never a 5xx."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from tests.support.http import PASSWORD, bearer


def _mixed_case(email: str, seed: int) -> str:
    chooser = random.Random(seed)
    return "".join(c.upper() if chooser.random() < 0.5 else c for c in email)


def test_fifty_parallel_signups_with_one_email(
    base_url: str, emulated: bool, database_url: str
) -> None:
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"

    def attempt(seed: int) -> int:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            body = {"email": _mixed_case(email, seed), "password": PASSWORD}
            return client.post("/api/auth/signup", json=body).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = Counter(pool.map(attempt, range(50)))
    assert statuses == Counter({201: 1, 409: 49})
    if not emulated:
        return  # the database of another server is not ours to read
    from mdcreator.auth.models import User

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.scalar(select(func.count()).where(func.lower(User.email) == email))
    finally:
        engine.dispose()
    assert rows == 1


@pytest.fixture
def users(api: httpx.Client) -> list[str]:
    emails = [f"mix-{uuid.uuid4().hex[:8]}@example.com" for _ in range(8)]
    for email in emails:
        assert (
            api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code
            == 201
        )
    return emails


def test_two_hundred_mixed_requests_with_eight_workers(base_url: str, users: list[str]) -> None:
    logged_out: list[str] = []

    def story(index: int) -> list[int]:
        # One of four: login, login+me, login+logout, login+me+logout.
        with httpx.Client(base_url=base_url, timeout=60) as client:
            email = users[index % len(users)]
            answer = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            statuses = [answer.status_code]
            if answer.status_code != 200:
                return statuses
            token: Any = answer.json()["access_token"]
            if index % 4 in (1, 3):
                statuses.append(client.get("/api/auth/me", headers=bearer(token)).status_code)
            if index % 4 in (2, 3):
                statuses.append(client.post("/api/auth/logout", headers=bearer(token)).status_code)
                logged_out.append(token)
            return statuses

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = Counter(status for result in pool.map(story, range(100)) for status in result)
    assert sum(statuses.values()) >= 200
    assert not [status for status in statuses if status >= 500], statuses
    assert set(statuses) == {200}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for token in logged_out:
            assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401
