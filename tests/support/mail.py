"""A real SMTP server in the test process (aiosmtpd) that every mail of the API reaches.

One fixed port for the whole run, so the functions' SMTP_URL never changes, and modes a
test can switch: slow (a delay per mail), down (nothing listens: connection refused) and
hung (a socket that accepts and never answers).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.emulator import free_port

USER = "mailer"
PASSWORD = "p@ss w#rd$"  # URL-quoted in the SMTP_URL: never to be seen in a log
LINK = re.compile(r"https?://\S+\?token=[A-Za-z0-9_\-]+")


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())

    @property
    def html(self) -> str:
        body = self.message.get_body(preferencelist=("html",))
        assert body is not None
        return str(body.get_content())

    @property
    def link(self) -> str:
        found = LINK.findall(self.text)
        assert len(found) == 1, self.text
        return str(found[0])

    @property
    def token(self) -> str:
        return parse_qs(urlsplit(self.link).query)["token"][0]


class Mailbox:
    """aiosmtpd handler: keeps every message, optionally slowly."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.delay_s = 0.0
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: ARG002
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._changed:
            self.received.append(Received(list(envelope.rcpt_tos), message))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self._changed:
            return [mail for mail in self.received if address.lower() in mail.recipients]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> list[Received]:
        """The first `count` mails to `address`, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.to(address)) < count:
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    break
        if len(found) < count:
            raise AssertionError(f"{len(found)} mails to {address}, expected {count}")
        return found[:count]

    def last(self, address: str) -> Received:
        return self.wait_for(address, len(self.to(address)) or 1)[-1]


def _authenticate(
    server: Any,  # noqa: ARG001
    session: Any,  # noqa: ARG001
    envelope: Any,  # noqa: ARG001
    mechanism: str,  # noqa: ARG001
    auth_data: Any,
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok)


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost / 127.0.0.1: clients verify it through SSL_CERT_FILE."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(certificate), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return certificate, key


class MailServer:
    """aiosmtpd on localhost:<port>; plain like Mailpit, or as a production relay.

    secure=True is what SES on 587 asks: the client must upgrade with STARTTLS, verify the
    certificate (`certificate` is what SSL_CERT_FILE must name) and log in before it may send.
    """

    def __init__(self, *, secure: bool = False) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.secure = secure
        self._folder = Path(tempfile.mkdtemp(prefix="mdc-smtp-"))
        self.certificate: Path | None = None
        self._options: dict[str, Any] = {}
        if secure:
            self.certificate, key = _self_signed_certificate(self._folder)
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(self.certificate, key)
            self._options = {
                "tls_context": tls,
                "require_starttls": True,
                "authenticator": _authenticate,
                "auth_required": True,
            }
        self._controller: Controller | None = None
        self._hang: _HungListener | None = None

    @property
    def url(self) -> str:
        if self.secure:
            login = f"{USER}:{quote(PASSWORD, safe='')}"
            return f"smtp://{login}@localhost:{self.port}?starttls=true"
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, **self._options
        )
        self._controller.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._folder, ignore_errors=True)

    def stop(self) -> None:
        """Down: nothing listens on the port, connections are refused."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._hang is not None:
            self._hang.close()
            self._hang = None

    def hang(self) -> None:
        """Hung: connections are accepted and never answered (no greeting)."""
        self.stop()
        self._hang = _HungListener(self.port)

    def resume(self) -> None:
        self.stop()
        self.mailbox.delay_s = 0.0
        self.start()


class _HungListener:
    def __init__(self, port: int) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen(64)
        self._accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._accepted.append(connection)

    def close(self) -> None:
        try:
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._socket.close()
        for connection in self._accepted:
            connection.close()
        self._thread.join(5)
