"""What a login tells the owner: the history, and a mail when a new device signs in.

A device is new for an account when the login brings no trusted device token (the one an
earlier login from that browser received) and its fingerprint - user agent and network
(IPv4 /24, IPv6 /48) - did not log in to the account within NEW_DEVICE_DEDUPE_DAYS. The
device token is the proof a browser keeps; the fingerprint only keeps clients without
cookies (an API script, a private window) from mailing at every login. The first login of
an account is its signup's device: no mail. At most NEW_DEVICE_MAIL_MAX mails per account
and hour, whoever logs in: a password alone cannot mail-bomb its owner.

The mail's "this was not me" link ends that session and its device token and answers with a
password-reset grant, as the reset link does: the SPA goes on to its reset page.
"""

from __future__ import annotations

import ipaddress
import time
import uuid
from datetime import UTC, datetime

import jwt
from sqlalchemy.orm import Session

from ..core.config import get_settings
from ..core.context import current_client
from ..core.errors import DependencyUnavailable
from ..infra import mail
from . import events, onetime, sessions
from .errors import InvalidLinkToken
from .events import EventKind
from .models import User
from .onetime import Grant, Purpose
from .sessions import DeviceNotice

logger = mail.logger


def session_of(access_token: str) -> uuid.UUID:
    """The session id of an access token this process has just signed."""
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return uuid.UUID(claims["sid"])


def _network(ip: str | None) -> str:
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ip or ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network((address, prefix), strict=False))


def fingerprint(ip: str | None, user_agent: str | None) -> str:
    return f"{_network(ip)} {user_agent or ''}"


def after_login(db: Session, user: User, session_id: uuid.UUID, *, known_device: bool) -> None:
    """Record the login; mail the owner when it came from a new device."""
    if known_device:  # a trusted device token means an earlier login: no need to look
        events.record(db, user.id, EventKind.LOGIN_SUCCEEDED, session_id=session_id)
        first = False
    else:
        first = events.record_login(db, user.id, session_id)
    client = current_client()
    notice = sessions.note_login_device(
        user.id, fingerprint(client.ip, client.user_agent), known=known_device or first
    )
    if notice is DeviceNotice.SEEN:
        return
    events.record(db, user.id, EventKind.NEW_DEVICE, session_id=session_id)
    if notice is DeviceNotice.MAIL:
        _send_new_device_mail(user, session_id)


def _new_device_mail(user: User, session_id: uuid.UUID) -> mail.Mail:
    settings = get_settings()
    client = current_client()
    grant = Grant(Purpose.DENY_SESSION, user.id, user.email, session_id=str(session_id))
    token = onetime.issue(grant, settings.new_device_link_ttl_s)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return mail.Mail(
        to=user.email,
        subject="New sign-in to your MD Creator account",
        paragraphs=(
            f"Your MD Creator account {user.email} was just signed in to from a device it "
            "has not seen before.",
            f"When: {when}\nIP address: {client.ip or 'unknown'}\n"
            f"Browser: {client.user_agent or 'unknown'}",
            "If this was you, there is nothing to do.",
        ),
        link=f"{settings.app_url.rstrip('/')}/not-me?token={token}",
        link_label="This was not me: sign that device out",
        lifetime_s=settings.new_device_link_ttl_s,
        not_you="The link signs that device out and takes you to choosing a new password: "
        "whoever signed in knows the current one.",
    )


def _send_new_device_mail(user: User, session_id: uuid.UUID) -> None:
    # The login waits for its relay a short while at most: a slow relay loses the notice
    # (logged), never the login.
    settings = get_settings()
    wait = min(settings.new_device_mail_wait_s, settings.mail_send_deadline_s)
    try:
        mail.deliver([_new_device_mail(user, session_id)], time.monotonic() + wait)
    except (mail.MailNotConfigured, DependencyUnavailable) as exc:
        logger.warning("new-device mail not sent: %s", type(exc).__name__)


def deny_session(db: Session, token: str) -> str:
    """The "this was not me" link: end that session and its device token; a reset grant.

    The link proves the mailbox of the account's address when it was mailed; it dies when
    the address changed since.
    """
    grant = onetime.redeem(Purpose.DENY_SESSION, token)
    user = db.get(User, grant.user_id)
    if user is None or user.deleted_at is not None or user.email.lower() != grant.email.lower():
        raise InvalidLinkToken()
    session_id = uuid.UUID(grant.session_id or "")
    sessions.end_session_and_device(user.id, session_id)
    events.record(db, user.id, EventKind.SESSION_DENIED, session_id=session_id)
    reset = Grant(
        Purpose.RESET_PASSWORD, user.id, user.email, credentials_version=user.credentials_version
    )
    return onetime.issue(reset, get_settings().password_reset_ttl_s)
