"""Mails that start a recovery: address verification and password reset requests.

Raises domain errors only. Every link carries a one-time token (onetime.py) whose grant is
checked against the account when it comes back (links.py, reset.py): a link proves one
address of one account, so it dies when the account's address changed since the mail went
out.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from ..core.config import get_settings
from ..core.errors import DependencyUnavailable, TooManyAttempts
from ..infra import mail
from . import limits, onetime, users
from .models import User
from .onetime import Grant, Purpose

logger = mail.logger


def mail_link(path: str, token: str) -> str:
    return f"{get_settings().app_url.rstrip('/')}/{path}?token={token}"


def pad_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def _verification_mail(user: User) -> mail.Mail:
    lifetime = get_settings().email_token_ttl_s
    grant = Grant(Purpose.VERIFY_EMAIL, user.id, user.email)
    token = onetime.issue(grant, lifetime)
    return mail.Mail(
        to=user.email,
        subject="Confirm your email address for MD Creator",
        paragraphs=(
            "Welcome to MD Creator.",
            f"Please confirm that {user.email} is your address.",
        ),
        link=mail_link("verify-email", token),
        link_label="Confirm your address",
        lifetime_s=lifetime,
        not_you="If you did not sign up for MD Creator, ignore this message: "
        "the address stays unconfirmed.",
    )


def send_signup_verification(user: User) -> None:
    """After signup: a verification mail, unless the mailbox has had its share this hour.

    The account exists already: nothing here turns the signup into an error; the user can
    ask for another mail.
    """
    deadline = time.monotonic() + get_settings().mail_send_deadline_s
    try:
        limits.check_mail_to_allowed("verify", user.email, get_settings().email_verify_max)
        mail.deliver([_verification_mail(user)], deadline)
    except TooManyAttempts:
        logger.warning("verification mail after signup skipped: mailbox limit reached")
    except DependencyUnavailable:
        logger.warning("verification mail after signup skipped: redis unavailable")


def request_verification(user: User, client_ip: str) -> bool:
    """Send a new verification mail; False when the address is verified already."""
    if user.email_verified:
        return False
    limits.check_mail_allowed(client_ip)
    limits.check_mail_to_allowed("verify", user.email, get_settings().email_verify_max)
    mail.deliver([_verification_mail(user)], time.monotonic() + get_settings().mail_send_deadline_s)
    return True


def _reset_mail(user: User) -> mail.Mail:
    lifetime = get_settings().password_reset_ttl_s
    grant = Grant(
        Purpose.RESET_PASSWORD, user.id, user.email, credentials_version=user.credentials_version
    )
    token = onetime.issue(grant, lifetime)
    return mail.Mail(
        to=user.email,
        subject="Reset your MD Creator password",
        paragraphs=(
            f"Someone asked to reset the password of the MD Creator account {user.email}.",
            "Choose a new password with the link below. It signs you in and signs out "
            "every other session of the account.",
        ),
        link=mail_link("reset-password", token),
        link_label="Choose a new password",
        lifetime_s=lifetime,
        not_you="If this was not you, ignore this message: your password stays as it is.",
    )


def request_password_reset(db: Session, email: str, client_ip: str) -> None:
    """Mail a reset link when a live account owns the address; the answer says neither.

    Both cases answer at one fixed time from the start (MAIL_ANSWER_FLOOR_S), and the relay
    gets at most until MAIL_SEND_DEADLINE_S, below it: a slow or hung relay cannot tell a
    known address from an unknown one.
    """
    settings = get_settings()
    started = time.monotonic()
    limits.check_mail_allowed(client_ip)
    limits.check_mail_to_allowed("reset", email, settings.password_reset_email_max)
    user = users.find_user_by_email(db, email)
    users.end_read(db)  # the relay may take up to the deadline
    if user is not None:
        mail.deliver([_reset_mail(user)], started + settings.mail_send_deadline_s)
    pad_until(started + settings.mail_answer_floor_s)
