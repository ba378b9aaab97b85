"""Mail: messages built with the standard library, sent by SMTP or written to the log.

Backends, chosen once per process by get_backend():
  SmtpBackend     SMTP_URL set: smtp://user:pass@host:port (plain, ?starttls=true to upgrade),
                  smtps://… (implicit TLS). Credentials are never logged.
  ConsoleBackend  development and test without SMTP_URL: the whole text, links included, goes
                  to the log, so `make run` works with nothing else running.
A request never waits for a relay past its deadline: deliver() gives up, logs, and answers.
"""

from __future__ import annotations

import contextvars
import html
import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from ..core import metrics
from ..core.config import get_settings

logger = logging.getLogger("mdcreator.mail")

APP_NAME = "MD Creator"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailNotConfigured(RuntimeError):
    """No usable SMTP_URL where links must not end up in the log."""


@dataclass(frozen=True)
class Mail:
    """What one message says; build_message() turns it into text and HTML alternatives."""

    to: str
    subject: str
    paragraphs: tuple[str, ...]
    link: str | None = None
    link_label: str = ""
    lifetime_s: int | None = None
    not_you: str = "If this was not you, you can ignore this message."


class MailBackend(Protocol):
    def send(self, message: EmailMessage, timeout: float) -> None: ...


@dataclass(frozen=True)
class SmtpBackend:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpBackend:
        # Messages name no part of the URL: it carries the relay's password.
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise MailNotConfigured("SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://…")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise MailNotConfigured("SMTP_URL has an invalid port") from None
        starttls = parse_qs(parts.query).get("starttls", ["false"])[-1].lower()
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=parts.scheme == "smtps",
            starttls=starttls in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def send(self, message: EmailMessage, timeout: float) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.implicit_tls:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=timeout)
        with client:
            if self.starttls:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


class ConsoleBackend:
    def send(self, message: EmailMessage, timeout: float) -> None:  # noqa: ARG002
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        fields = {"to": message["To"], "subject": message["Subject"], "text": text}
        logger.info("mail (console backend, not sent)", extra={"fields": fields})


@lru_cache
def get_backend() -> MailBackend:
    """The process's mail backend; outside development/test a relay is required."""
    settings = get_settings()
    url = settings.smtp_url.get_secret_value()
    if url:
        return SmtpBackend.from_url(url)
    if settings.env in ("development", "test"):
        return ConsoleBackend()
    raise MailNotConfigured(f"SMTP_URL is required when ENV={settings.env}")


def _lifetime(seconds: int) -> str:
    if seconds % 86_400 == 0 and seconds > 86_400:
        return f"{seconds // 86_400} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def _text(mail: Mail) -> str:
    lines = [*mail.paragraphs]
    if mail.link:
        lines.append(f"{mail.link_label}:\n{mail.link}")
    if mail.lifetime_s:
        lines.append(f"The link works once and expires in {_lifetime(mail.lifetime_s)}.")
    lines += [mail.not_you, f"-- {APP_NAME}"]
    return "\n\n".join(lines) + "\n"


def _html(mail: Mail) -> str:
    parts = [f"<p>{html.escape(paragraph)}</p>" for paragraph in mail.paragraphs]
    if mail.link:
        link = html.escape(mail.link, quote=True)
        parts.append(f'<p><a href="{link}">{html.escape(mail.link_label)}</a></p>')
        parts.append(f"<p>Or paste this address into your browser:<br>{link}</p>")
    if mail.lifetime_s:
        parts.append(f"<p>The link works once and expires in {_lifetime(mail.lifetime_s)}.</p>")
    parts += [f"<p>{html.escape(mail.not_you)}</p>", f"<p>&mdash; {APP_NAME}</p>"]
    body = "\n".join(parts)
    return (
        f'<!doctype html>\n<html><body style="font-family: sans-serif">\n{body}\n</body></html>\n'
    )


def build_message(mail: Mail) -> EmailMessage:
    sender = get_settings().mail_from
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_text(mail))
    message.add_alternative(_html(mail), subtype="html")
    return message


def deliver(mails: list[Mail], deadline: float) -> int:
    """Send side by side, giving up at `deadline` (time.monotonic()); returns how many left.

    A relay that is down fails fast; one that hangs keeps its thread until the socket
    timeout, but the request goes on at the deadline and the user can ask again.
    """
    backend = get_backend()
    timeout = deadline - time.monotonic()
    if timeout <= 0:
        logger.warning("mail not sent: no time left before the deadline")
        metrics.count("MailFailed", len(mails))
        return 0
    sent: list[bool] = []

    def send(mail: Mail) -> None:
        # ValueError: an address stored before the schema refused it that the email
        # package cannot put into a header; the request has committed its work by now.
        try:
            backend.send(build_message(mail), timeout)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            logger.warning("mail not sent: %s", type(exc).__name__)
        else:
            sent.append(True)

    # Each thread runs in a copy of the request's context: its log lines keep the request's ids.
    threads = [
        threading.Thread(
            target=contextvars.copy_context().run, args=(send, mail), name="mail", daemon=True
        )
        for mail in mails
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        logger.warning("mail relay did not answer before the deadline; a mail may be lost")
    # A mail still on its way at the deadline counts as failed: nobody learns that it arrived.
    done = len(sent)
    metrics.count("MailSent", done)
    metrics.count("MailFailed", len(mails) - done)
    return done
