"""Test-wide setup: a fresh database, a private Redis key prefix, test settings."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common")]

from mdcreator.auth.keys import generate_private_jwk, public_jwks_of  # noqa: E402
from tests.support.database import create_database, drop_database, migrate  # noqa: E402
from tests.support.mail import MailServer  # noqa: E402
from tools.moto import LOCAL_CREDENTIALS, MotoMissing, MotoServer  # noqa: E402
from tools.settings import PROFILES, every_setting  # noqa: E402

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Every run signs with a key pair of its own; tests forge tokens with it (tests/support/forge).
TEST_PRIVATE_JWK = generate_private_jwk()
TEST_PUBLIC_JWKS = public_jwks_of(TEST_PRIVATE_JWK)
# What production needs beyond ENV: a bcrypt cost and an SPA that is public https.
PRODUCTION = {
    "ENV": "production",
    "BCRYPT_ROUNDS": "12",
    "APP_URL": "https://app.example.com",
    "CORS_ORIGINS": "https://app.example.com",
}


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = create_database()
    try:
        migrate(url)
        yield url
    finally:
        drop_database(url)


@pytest.fixture(scope="session")
def redis_prefix() -> Iterator[str]:
    prefix = f"mdc-test-{uuid.uuid4().hex[:8]}:"
    yield prefix
    from redis import Redis

    client = Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    """Every mail of the run arrives here, from handlers in process and through the emulator."""
    server = MailServer()
    server.start()
    yield server
    server.close()


# The bucket of the run's attachments, in the local S3 (moto's server).
TEST_BUCKET = "mdc-test-attachments"


@pytest.fixture(scope="session")
def local_aws() -> Iterator[MotoServer]:
    """The run's local AWS API over HTTP (moto's server): S3 with the attachments' bucket,
    and Secrets Manager. Handlers in process and through the emulator use the same one."""
    try:
        server = MotoServer().start()
    except MotoMissing as exc:
        pytest.skip(str(exc))
    try:
        server.ensure_bucket(TEST_BUCKET)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def _local_aws_credentials() -> Iterator[None]:
    """Credentials and region as a function's role gives them, fake ones: never the shell's."""
    saved = {key: os.environ.get(key) for key in LOCAL_CREDENTIALS}
    os.environ.update(LOCAL_CREDENTIALS)
    yield
    _restore(saved)


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def app_env(
    database_url: str, redis_prefix: str, mail_server: MailServer, local_aws: MotoServer
) -> dict[str, str]:
    """Every setting the functions read (tools.settings), also handed to the emulator.

    Unset ones are "" (the default), so nothing from the shell that runs pytest leaks in.
    """
    return every_setting(
        {
            **PROFILES["test"],
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": redis_prefix,
            "SMTP_URL": mail_server.url,
            "MAIL_FROM": "MD Creator <no-reply@mdcreator.test>",
            # Short, so the padded answers keep the suite quick; a 300 ms relay fits below.
            "MAIL_SEND_DEADLINE_S": "0.6",
            "MAIL_ANSWER_FLOOR_S": "0.8",
            "JWT_PRIVATE_KEY": json.dumps(TEST_PRIVATE_JWK),
            "JWT_PUBLIC_KEYS": json.dumps(TEST_PUBLIC_JWKS),
            "S3_ENDPOINT_URL": local_aws.url,
            "S3_BUCKET": TEST_BUCKET,
        }
    )


@pytest.fixture(scope="session", autouse=True)
def _settings(app_env: dict[str, str]) -> Iterator[None]:
    from mdcreator.core.config import get_settings

    saved = {key: os.environ.get(key) for key in app_env}
    os.environ.update(app_env)
    get_settings.cache_clear()
    yield
    _restore(saved)
    get_settings.cache_clear()


@pytest.fixture
def override_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Change settings as a fresh process reads them: override_settings(LOGIN_MAX_FAILURES=2)."""
    from mdcreator.core.config import get_settings
    from mdcreator.infra.mail import get_backend

    def _override(**values: object) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, str(value))
        get_settings.cache_clear()
        get_backend.cache_clear()

    yield _override
    monkeypatch.undo()
    get_settings.cache_clear()
    get_backend.cache_clear()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--base-url",
        default=None,
        help="run tests/integration against this running API instead of starting the emulator",
    )
    parser.addoption(
        "--gateway",
        choices=["emulator", "sam-local", "aws"],
        default="emulator",
        help="what serves --base-url: some gateway limits differ (see tests/integration)",
    )
