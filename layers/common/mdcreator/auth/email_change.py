"""Email change requests: a confirmation link to the new address, a notice to the old one.

Raises domain errors only. The confirmation comes back through links.py; the notice's revert
link through reset.py.
"""

from __future__ import annotations

import time
import uuid

from sqlalchemy.orm import Session

from ..core.config import get_settings
from ..infra import mail
from . import credentials, events, holds, limits, onetime, users
from .errors import EmailUnchanged
from .events import EventKind
from .models import User
from .onetime import Grant, Purpose
from .recovery import mail_link, pad_until


def _change_confirmation_mail(user: User, new_email: str) -> mail.Mail:
    lifetime = get_settings().email_change_ttl_s
    # Bound to the password too: the owner who reads the notice and resets it cancels this.
    grant = Grant(
        Purpose.CHANGE_EMAIL,
        user.id,
        user.email,
        new_email=new_email,
        credentials_version=user.credentials_version,
    )
    token = onetime.issue(grant, lifetime)
    return mail.Mail(
        to=new_email,
        subject="Confirm your new email address for MD Creator",
        paragraphs=(
            f"Your MD Creator account asked to use {new_email} as its address from now on.",
            "Confirm the change to start signing in with this address.",
        ),
        link=mail_link("confirm-email", token),
        link_label="Confirm the new address",
        lifetime_s=lifetime,
        not_you="If this was not you, ignore this message: nothing changes.",
    )


def _address_taken_mail(new_email: str) -> mail.Mail:
    # The requester must not learn that the address has an account: it gets a mail in both
    # cases, and only the address's owner reads which one.
    return mail.Mail(
        to=new_email,
        subject="Someone asked to move an MD Creator account to this address",
        paragraphs=(
            f"An MD Creator account asked to use {new_email} as its address, but this "
            "address already belongs to an MD Creator account. Nothing was changed.",
            "If you meant to sign in, use this address; if you forgot its password, use "
            f'"Forgot password" at {get_settings().app_url}.',
        ),
        not_you="If this was not you, ignore this message: your account is unchanged.",
    )


def _change_notice_mail(user: User, new_email: str) -> mail.Mail:
    # The undo: for EMAIL_CHANGE_REVERT_DAYS the old address can take the account back,
    # whatever happened to it since (see revert_email_change).
    lifetime = get_settings().email_change_revert_days * 86_400
    grant = Grant(Purpose.REVERT_EMAIL, user.id, user.email, new_email=new_email)
    token = onetime.issue(grant, lifetime)
    return mail.Mail(
        to=user.email,
        subject="Your MD Creator email address is about to change",
        paragraphs=(
            f"Someone signed in to your MD Creator account asked to change its address "
            f"from {user.email} to {new_email}.",
            "The change happens only when the link sent to the new address is used.",
            f"If this was not you, use the link below, even after the change: the account "
            f"gets {user.email} back, every session is signed out, and you choose a new "
            "password.",
        ),
        link=mail_link("revert-email", token),
        link_label="This was not me: keep my address",
        lifetime_s=lifetime,
        not_you="You can also reset your password now at "
        f"{get_settings().app_url}: that cancels the change while it is not confirmed.",
    )


def request_email_change(
    db: Session,
    user: User,
    new_email: str,
    password: str,
    client_ip: str,
    *,
    session_id: uuid.UUID | None = None,
) -> None:
    """Mail a confirmation link to the new address and a notice to the current one.

    Whether the new address has an account decides only what its mail says; both cases
    answer at one fixed time after the password check, so the answer reveals neither.
    """
    settings = get_settings()
    limits.check_mail_allowed(client_ip)
    credentials.confirm_password(user, password, client_ip, session_id)
    if new_email.lower() == user.email.lower():
        raise EmailUnchanged()
    started = time.monotonic()
    # Two buckets: requests of this account, and mails into the new mailbox. Anyone can aim
    # requests at a victim's address; they must not use up the victim's own changes.
    limits.check_mail_to_allowed("change-from", user.email, settings.email_change_max)
    limits.check_mail_to_allowed("change-to", new_email, settings.email_change_max)
    taken = users.find_user_by_email(db, new_email) is not None
    users.end_read(db)  # the relay may take up to the deadline
    if not taken and not holds.is_held_for_another(new_email, user.id):
        to_new = _change_confirmation_mail(user, new_email)
    else:
        to_new = _address_taken_mail(new_email)
    mail.deliver(
        [to_new, _change_notice_mail(user, new_email)], started + settings.mail_send_deadline_s
    )
    events.record(db, user.id, EventKind.EMAIL_CHANGE_REQUESTED, new_email=new_email)
    pad_until(started + settings.mail_answer_floor_s)
