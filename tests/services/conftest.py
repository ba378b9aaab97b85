"""The layer's modules against the real servers: Redis (sessions, one-time tokens) and SMTP.

What tests/unit leaves out because it needs a server; the functions' stories over the same
servers are in tests/functions.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.settings import applied


@pytest.fixture(scope="package", autouse=True)
def _app_settings(app_env: dict[str, str]) -> Iterator[None]:
    with applied(app_env):
        yield
