"""Secrets Manager failing under a warm function: an unknown kid costs one fetch per interval."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from mdcreator.auth.keys import find_key, get_key_ring
from mdcreator.core import aws_secrets
from tests.support.clients import reset_clients
from tests.support.settings import TEST_PUBLIC_JWKS

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mdc-jwks"


class FailingSecretsManager:
    def __init__(self) -> None:
        self.calls = 0

    def get_secret_value(self, SecretId: str) -> dict[str, str]:  # noqa: N803, ARG002
        self.calls += 1
        raise ConnectionError("secrets manager unreachable")  # what botocore would raise


@pytest.fixture
def outage(monkeypatch: pytest.MonkeyPatch) -> Iterator[FailingSecretsManager]:
    client = FailingSecretsManager()
    monkeypatch.delenv("JWT_PUBLIC_KEYS", raising=False)
    monkeypatch.setenv("JWT_PUBLIC_KEYS_SECRET_ARN", ARN)
    # Fetched at init, long enough ago that a refetch is allowed once.
    monkeypatch.setitem(aws_secrets._values, ARN, json.dumps(TEST_PUBLIC_JWKS))
    monkeypatch.setitem(aws_secrets._fetched_at, ARN, time.monotonic() - 60)
    monkeypatch.setattr(aws_secrets, "_client", lambda: client)
    reset_clients()
    get_key_ring()  # init
    yield client
    monkeypatch.undo()
    aws_secrets._values.pop(ARN, None)
    aws_secrets._fetched_at.pop(ARN, None)
    reset_clients()


def test_unknown_kids_during_an_outage_fetch_at_most_once_per_interval(
    outage: FailingSecretsManager,
) -> None:
    # An attacker sends tokens with made-up kids; each one may cost a Secrets Manager call
    # (2 s connect + 2 s read timeouts, retried) only once per REFETCH_INTERVAL_S.
    for i in range(5):
        assert find_key(f"made-up-kid-{i}") is None
    assert outage.calls == 1


@pytest.mark.usefixtures("outage")
def test_a_failed_refetch_keeps_the_value_fetched_at_init() -> None:
    assert find_key("made-up-kid") is None
    # The cached set must survive the failed refetch: the next settings reload (a rotated DB
    # password clears them, db.py) would otherwise need Secrets Manager, which is down.
    assert aws_secrets.get_secret(ARN) == json.dumps(TEST_PUBLIC_JWKS)
