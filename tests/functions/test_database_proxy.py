"""DATABASE_PROXY_ENDPOINT: the functions connect to RDS Proxy instead of the URL's host."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import make_url

from tests.support.clients import reset_clients
from tests.support.handlers import login, signup


@pytest.fixture
def behind_proxy(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The URL names a host that does not resolve; only the proxy endpoint leads anywhere.
    url = make_url(database_url)
    monkeypatch.setenv("DATABASE_URL", url.set(host="db.invalid").render_as_string(False))
    monkeypatch.setenv("DATABASE_PROXY_ENDPOINT", url.host or "127.0.0.1")
    reset_clients()
    yield
    monkeypatch.undo()
    reset_clients()


@pytest.mark.usefixtures("behind_proxy")
def test_requests_go_through_the_proxy_endpoint(email: str) -> None:
    from mdcreator.infra.db import get_engine

    assert get_engine().url.host == "127.0.0.1"
    assert signup(email).status == 201
    answer: Any = login(email)
    assert answer.status == 200


def test_without_the_endpoint_the_url_host_is_used(database_url: str) -> None:
    from mdcreator.infra.db import database_url as configured

    assert configured().host == make_url(database_url).host


def test_rds_json_secrets_become_urls_with_quoted_credentials() -> None:
    from mdcreator.core.aws_secrets import as_database_url

    url = make_url(
        as_database_url(
            '{"username": "app", "password": "p@ss:w/rd%", "host": "db.example", '
            '"port": 5433, "dbname": "mdc"}'
        )
    )
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "app",
        "p@ss:w/rd%",
        "db.example",
        5433,
        "mdc",
    )
    assert as_database_url("postgresql+psycopg2://a:b@h/d") == "postgresql+psycopg2://a:b@h/d"
