"""`make stress`: longer runs than `make test` affords, same rules: no 5xx, nothing lost."""

from __future__ import annotations

import os
import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.http import PASSWORD, bearer

pytestmark = pytest.mark.stress
REQUESTS = int(os.environ.get("STRESS_REQUESTS", "2000"))


def test_soak_mixed_session_traffic(base_url: str, api: httpx.Client) -> None:
    emails = [f"soak-{uuid.uuid4().hex[:8]}@example.com" for _ in range(16)]
    for email in emails:
        assert (
            api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code
            == 201
        )
    dead_tokens: list[str] = []

    def session(seed: int) -> Counter[int]:
        chooser = random.Random(seed)
        statuses: Counter[int] = Counter()
        with httpx.Client(base_url=base_url, timeout=60) as client:
            body = {"email": chooser.choice(emails), "password": PASSWORD}
            answer = client.post("/api/auth/login", json=body)
            statuses[answer.status_code] += 1
            tokens = answer.json()
            for _ in range(chooser.randint(1, 6)):
                if chooser.random() < 0.3:
                    answer = client.post(
                        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
                    )
                    statuses[answer.status_code] += 1
                    tokens = answer.json()
                else:
                    statuses[
                        client.get(
                            "/api/auth/me", headers=bearer(tokens["access_token"])
                        ).status_code
                    ] += 1
            statuses[
                client.post("/api/auth/logout", headers=bearer(tokens["access_token"])).status_code
            ] += 1
            dead_tokens.append(tokens["access_token"])
        return statuses

    total: Counter[int] = Counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for statuses in pool.map(session, range(REQUESTS // 5)):
            total.update(statuses)
    assert set(total) == {200}, total
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for token in dead_tokens[:200]:
            assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401


def test_two_hundred_parallel_signups_one_email_each_and_one_shared(base_url: str) -> None:
    shared = f"shared-{uuid.uuid4().hex[:8]}@example.com"
    emails = [f"many-{uuid.uuid4().hex[:8]}@example.com" for _ in range(150)] + [shared] * 50

    def attempt(email: str) -> int:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            return client.post(
                "/api/auth/signup", json={"email": email.upper(), "password": PASSWORD}
            ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = Counter(pool.map(attempt, emails))
    assert statuses == Counter({201: 151, 409: 49})
