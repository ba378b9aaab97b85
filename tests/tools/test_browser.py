"""tools.browser: where Chromium cannot be found or installed, `make test` stops saying why."""

from __future__ import annotations

import pytest

from tools import browser


def test_named_binaries_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/opt/chromium/chrome")
    monkeypatch.setenv("CHROMEDRIVER", "/opt/chromium/chromedriver")
    assert browser.find() == browser.Browser("/opt/chromium/chrome", "/opt/chromium/chromedriver")


def test_without_a_browser_or_apt_get_it_fails_saying_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.delenv("CHROMEDRIVER", raising=False)
    assert browser.main() == 1
    error = capsys.readouterr().err
    assert "apt-get is not available here" in error
    assert "chromium and chromium-driver" in error
