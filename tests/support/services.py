"""Fixtures of the servers the tests talk to: a migrated database, the run's Redis keys, a
mail server, the local AWS API (moto's server: S3 and Secrets Manager), and `app_env`, every
setting pointed at them.

Registered once for the whole run (`pytest_plugins` in tests/conftest.py), so any test may
ask for one by name; nothing here is autouse, so a test that asks for none starts no server.
A directory whose every test runs the functions against the servers applies `app_env` for
all of them with a package-scoped autouse fixture in its own conftest.py; outside such a
directory the settings point at a closed port (tests/support/settings.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.database import create_database, drop_database, migrate
from tests.support.mail import MailServer
from tests.support.settings import REDIS_KEY_PREFIX, REDIS_URL, base_settings
from tools.moto import MotoMissing, MotoServer

# The bucket of the run's attachments, in the local S3.
TEST_BUCKET = "mdc-test-attachments"


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
    """The run's Redis key prefix; its keys are deleted when the run ends."""
    yield REDIS_KEY_PREFIX
    from redis import Redis

    client = Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{REDIS_KEY_PREFIX}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    """Every mail of the run arrives here, from handlers in process and through the emulator."""
    server = MailServer()
    server.start()
    yield server
    server.close()


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


@pytest.fixture(scope="session")
def app_env(
    database_url: str, redis_prefix: str, mail_server: MailServer, local_aws: MotoServer
) -> dict[str, str]:
    """Every setting the functions read (tools.settings), also handed to the emulator."""
    return base_settings(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": redis_prefix,
            "SMTP_URL": mail_server.url,
            "S3_ENDPOINT_URL": local_aws.url,
            "S3_BUCKET": TEST_BUCKET,
        }
    )
