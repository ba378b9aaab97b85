"""Test-wide setup: import paths, pytest's options, and the settings every test starts from.

Those settings (tests/support/settings.py) point Postgres, Redis and SMTP at a closed port:
a test needs no server unless it asks for one. The server fixtures are a plugin
(tests/support/services.py); the directories whose tests use the servers apply them in
their own conftest.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common")]

from tests.support.settings import applied, base_settings  # noqa: E402
from tools.moto import LOCAL_CREDENTIALS  # noqa: E402

pytest_plugins = ["tests.support.services"]


@pytest.fixture(scope="session", autouse=True)
def _settings() -> Iterator[None]:
    # AWS credentials and region as a function's role gives them, fake ones: never the shell's.
    with applied({**base_settings(), **LOCAL_CREDENTIALS}):
        yield


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
