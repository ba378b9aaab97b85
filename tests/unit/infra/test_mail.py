"""Messages and the SMTP backend's settings; delivery is tested against aiosmtpd in
tests/services/infra/test_mail.py."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mdcreator.infra import mail
from tests.support.messages import LINK, sample_mail
from tests.support.settings import PRODUCTION


def test_message_has_text_and_html_alternatives_with_the_link_and_its_lifetime() -> None:
    message = mail.build_message(sample_mail())
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
    message = mail.build_message(sample_mail())
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Confirm your email address for MD Creator"
    assert message["From"] == "MD Creator <no-reply@mdcreator.test>"
    assert message["Message-ID"].endswith("@mdcreator.test>")
    assert message["Date"]


@pytest.mark.parametrize(
    ("seconds", "words"), [(3600, "1 hour"), (7200, "2 hours"), (900, "15 minutes")]
)
def test_lifetimes_read_as_words(seconds: int, words: str) -> None:
    text = mail.build_message(sample_mail(lifetime_s=seconds)).get_body(preferencelist=("plain",))
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
        assert mail.deliver([sample_mail()], time.monotonic() + 1) == 1
    logged = [getattr(record, "fields", {}) for record in caplog.records]
    assert any(LINK in fields.get("text", "") for fields in logged)
