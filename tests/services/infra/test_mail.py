"""Delivery through a real SMTP server (aiosmtpd): TLS, a relay that fails or hangs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from mdcreator.infra import mail
from tests.support.mail import MailServer
from tests.support.messages import LINK, sample_mail


@pytest.fixture
def secure_relay(override_settings: Callable[..., None]) -> Iterator[MailServer]:
    server = MailServer(secure=True)
    server.start()
    assert server.certificate is not None
    override_settings(SMTP_URL=server.url, SSL_CERT_FILE=server.certificate)
    yield server
    server.close()


def test_delivery_upgrades_to_tls_verifies_the_relay_and_logs_in(
    secure_relay: MailServer,
) -> None:
    address = f"tls-{time.monotonic_ns()}@example.com"
    assert mail.deliver([sample_mail(to=address)], time.monotonic() + 5) == 1
    assert secure_relay.mailbox.wait_for(address)[0].link == LINK


def test_a_relay_with_an_untrusted_certificate_gets_no_mail(
    secure_relay: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    address = f"untrusted-{time.monotonic_ns()}@example.com"
    assert mail.deliver([sample_mail(to=address)], time.monotonic() + 5) == 0
    assert secure_relay.mailbox.to(address) == []


def test_failures_are_logged_without_the_relay_password(
    secure_relay: MailServer, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.mail import PASSWORD

    secure_relay.stop()
    assert mail.deliver([sample_mail()], time.monotonic() + 5) == 0
    out = caplog.text
    assert "mail not sent: ConnectionRefusedError" in out
    assert PASSWORD not in out and "p%40ss" not in out and secure_relay.url not in out


def test_an_address_no_header_can_hold_costs_its_mail_not_the_request(
    mail_server: MailServer,
) -> None:
    # An address stored before the schema refused encoded words: the email package raises
    # building its To header, in the middle of a request that has committed its work.
    broken = sample_mail(to="=?utf-8?q?a=0d=0a?=@example.com")
    assert mail.deliver([broken, sample_mail(to="grace@example.com")], time.monotonic() + 2) == 1
    assert len(mail_server.mailbox.to("grace@example.com")) == 1


def test_a_hung_relay_costs_no_more_than_the_deadline(
    mail_server: MailServer, override_settings: Callable[..., None]
) -> None:
    # The relay named is one that accepts and then never answers: a refused connection
    # would fail fast with or without the deadline.
    override_settings(SMTP_URL=mail_server.url)
    mail_server.hang()
    try:
        started = time.monotonic()
        assert mail.deliver([sample_mail(), sample_mail()], started + 0.5) == 0
        elapsed = time.monotonic() - started
    finally:
        mail_server.resume()
    assert elapsed < 1.5  # without the deadline: smtplib waits for a greeting that never comes
