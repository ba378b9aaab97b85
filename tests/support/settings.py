"""The run's settings: a key pair of its own, one Redis key prefix, the servers' addresses.

Every test starts from `base_settings()`: the test profile with Postgres, Redis and SMTP at a
port that is reserved and never listens, so a test that is meant to need no server and
reaches for one is refused at once. Directories whose tests use the servers apply
`app_env` (tests/support/services.py) over it.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from mdcreator.auth.keys import generate_private_jwk, public_jwks_of
from tools.settings import PROFILES, every_setting

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Every run signs with a key pair of its own; tests forge tokens with it (tests/support/forge).
TEST_PRIVATE_JWK = generate_private_jwk()
TEST_PUBLIC_JWKS = public_jwks_of(TEST_PRIVATE_JWK)
# Every key the run writes starts with this (tests/support/services.py deletes them at the end).
REDIS_KEY_PREFIX = f"mdc-test-{uuid.uuid4().hex[:8]}:"
# What production needs beyond ENV: a bcrypt cost, an SPA that is public https, a relay with
# TLS.
PRODUCTION = {
    "ENV": "production",
    "BCRYPT_ROUNDS": "12",
    "SMTP_URL": "smtps://relay.example.com",
    "APP_URL": "https://app.example.com",
    "CORS_ORIGINS": "https://app.example.com",
}


def _reserve_closed_port() -> socket.socket:
    """A loopback port bound for the whole run but never listening: a connection to it is
    refused at once, and no server of this run can take the port meanwhile."""
    reserved = socket.socket()
    reserved.bind(("127.0.0.1", 0))
    return reserved


_CLOSED = _reserve_closed_port()
CLOSED_PORT = int(_CLOSED.getsockname()[1])
UNREACHABLE = {
    "DATABASE_URL": f"postgresql+psycopg2://mdcreator@127.0.0.1:{CLOSED_PORT}/unreachable",
    "REDIS_URL": f"redis://127.0.0.1:{CLOSED_PORT}/0",
    "SMTP_URL": f"smtp://127.0.0.1:{CLOSED_PORT}",
}


def base_settings(servers: Mapping[str, str] = UNREACHABLE) -> dict[str, str]:
    """Every setting the functions read, for tests; `servers` names DATABASE_URL, REDIS_URL,
    SMTP_URL (and may name REDIS_KEY_PREFIX). Unset ones are "" (the default), so nothing
    from the shell that runs pytest leaks in."""
    return every_setting(
        {
            **PROFILES["test"],
            "REDIS_KEY_PREFIX": REDIS_KEY_PREFIX,
            **servers,
            "MAIL_FROM": "MD Creator <no-reply@mdcreator.test>",
            # Short, so the padded answers keep the suite quick; a 300 ms relay fits below.
            "MAIL_SEND_DEADLINE_S": "0.6",
            "MAIL_ANSWER_FLOOR_S": "0.8",
            "JWT_PRIVATE_KEY": json.dumps(TEST_PRIVATE_JWK),
            "JWT_PUBLIC_KEYS": json.dumps(TEST_PUBLIC_JWKS),
        }
    )


@contextmanager
def applied(settings: Mapping[str, str]) -> Iterator[None]:
    """The process reads `settings` from its environment, with fresh clients, until exit."""
    from tests.support.clients import reset_clients

    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    reset_clients()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_clients()
