"""Messages and the SMTP backend's settings; delivery itself is tested against aiosmtpd."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mdcreator.infra import mail
from tests.conftest import PRODUCTION
from tests.support.mail import MailServer

LINK = "http://localhost:5173/verify-email?token=abc_DEF-123"


def _mail(**changes: Any) -> mail.Mail:
    values: dict[str, Any] = {
        "to": "ada@example.com",
        "subject": "Confirm your email address for MD Creator",
        "paragraphs": ("Please confirm <ada@example.com>.",),
        "link": LINK,
        "link_label": "Confirm your address",
        "lifetime_s": 86400,
    }
    return mail.Mail(**{**values, **changes})


def test_message_has_text_and_html_alternatives_with_the_link_and_its_lifetime() -> None:
    message = mail.build_message(_mail())
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    for body in (text.get_content(), html.get_content()):
        assert LINK in body
        assert "expires in 24 hours" in body
        assert "If this was not you" in body
    assert "&lt;ada@example.com&gt;" in html.get_content()  # escaped, not markup
    assert f'href="{LINK}"' in html.get_content()


def test_message_headers_name_sender_recipient_subject_and_an_id() -> None:
    message = mail.build_message(_mail())
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Confirm your email address for MD Creator"
    assert message["From"] == "MD Creator <no-reply@mdcreator.test>"
    assert message["Message-ID"].endswith("@mdcreator.test>")
    assert message["Date"]


@pytest.mark.parametrize(
    ("seconds", "words"), [(3600, "1 hour"), (7200, "2 hours"), (900, "15 minutes")]
)
def test_lifetimes_read_as_words(seconds: int, words: str) -> None:
    text = mail.build_message(_mail(lifetime_s=seconds)).get_body(preferencelist=("plain",))
    assert text is not None and f"expires in {words}." in text.get_content()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.example.com", ("relay.example.com", 25, False, False, None, None)),
        ("smtps://u:p@relay.example.com", ("relay.example.com", 465, True, False, "u", "p")),
        (
            "smtp://AKIA%2Fx:s%40cr%23t%24@email-smtp.eu-west-1.amazonaws.com:587?starttls=true",
            ("email-smtp.eu-west-1.amazonaws.com", 587, False, True, "AKIA/x", "s@cr#t$"),
        ),
    ],
)
def test_smtp_url_forms(url: str, expected: tuple[object, ...]) -> None:
    backend = mail.SmtpBackend.from_url(url)
    assert (
        backend.host, backend.port, backend.implicit_tls, backend.starttls,
        backend.username, backend.password,
    ) == expected  # fmt: skip


@pytest.mark.parametrize(
    "url", ["http://u:hunter2@relay", "smtp://", "smtp://u:hunter2@relay:99999", "relay:25"]
)
def test_bad_smtp_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(mail.MailNotConfigured) as refused:
        mail.SmtpBackend.from_url(url)
    assert "hunter2" not in str(refused.value)


def test_production_without_smtp_url_refuses_to_start(override_settings: Any) -> None:
    override_settings(**{**PRODUCTION, "SMTP_URL": ""})
    with pytest.raises(mail.MailNotConfigured, match="SMTP_URL is required"):
        mail.get_backend()


def test_development_without_smtp_url_logs_the_mail_with_its_link(
    override_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    override_settings(ENV="development", SMTP_URL="")
    assert isinstance(mail.get_backend(), mail.ConsoleBackend)
    with caplog.at_level("INFO", logger="mdcreator.mail"):
        assert mail.deliver([_mail()], time.monotonic() + 1) == 1
    logged = [getattr(record, "fields", {}) for record in caplog.records]
    assert any(LINK in fields.get("text", "") for fields in logged)


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
    assert mail.deliver([_mail(to=address)], time.monotonic() + 5) == 1
    assert secure_relay.mailbox.wait_for(address)[0].link == LINK


def test_a_relay_with_an_untrusted_certificate_gets_no_mail(
    secure_relay: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    address = f"untrusted-{time.monotonic_ns()}@example.com"
    assert mail.deliver([_mail(to=address)], time.monotonic() + 5) == 0
    assert secure_relay.mailbox.to(address) == []


def test_failures_are_logged_without_the_relay_password(
    secure_relay: MailServer, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.mail import PASSWORD

    secure_relay.stop()
    assert mail.deliver([_mail()], time.monotonic() + 5) == 0
    out = caplog.text
    assert "mail not sent: ConnectionRefusedError" in out
    assert PASSWORD not in out and "p%40ss" not in out and secure_relay.url not in out


def test_an_address_no_header_can_hold_costs_its_mail_not_the_request(
    mail_server: MailServer,
) -> None:
    # An address stored before the schema refused encoded words: the email package raises
    # building its To header, in the middle of a request that has committed its work.
    broken = _mail(to="=?utf-8?q?a=0d=0a?=@example.com")
    assert mail.deliver([broken, _mail(to="grace@example.com")], time.monotonic() + 2) == 1
    assert len(mail_server.mailbox.to("grace@example.com")) == 1


def test_a_hung_relay_costs_no_more_than_the_deadline(mail_server: MailServer) -> None:
    mail_server.hang()
    try:
        started = time.monotonic()
        assert mail.deliver([_mail(), _mail()], started + 0.5) == 0
        elapsed = time.monotonic() - started
    finally:
        mail_server.resume()
    assert elapsed < 1.5  # without the deadline: smtplib waits for a greeting that never comes
