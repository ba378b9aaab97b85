"""Account recovery by mail: verified addresses, password reset, email change.

Raises domain errors only. Every link carries a one-time token (onetime.py) whose grant is
checked against the account when it comes back: a link proves one address of one account,
so it dies when the account's address changed since the mail went out.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.config import get_settings
from ..core.errors import DependencyUnavailable, TooManyAttempts
from ..infra import mail
from ..infra.db import UNAVAILABLE_ERRORS
from . import events, holds, limits, onetime, service, sessions
from .errors import EmailAlreadyRegistered, EmailUnchanged, InvalidLinkToken
from .events import EventKind
from .models import User
from .onetime import Grant, Purpose
from .passwords import hash_password
from .schemas import LoginToken

logger = mail.logger


def _link(path: str, token: str) -> str:
    return f"{get_settings().app_url.rstrip('/')}/{path}?token={token}"


def _pad_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


@contextmanager
def _redeemed(purpose: Purpose, token: str) -> Iterator[Grant]:
    """The token's grant, spent; given back when the database could not be asked."""
    grant = onetime.redeem(purpose, token)
    try:
        yield grant
    except (*UNAVAILABLE_ERRORS, DependencyUnavailable):
        onetime.give_back(token, grant)
        raise


def _claim(db: Session, grant: Grant, **changes: object) -> User:
    """Apply `changes` to the grant's account if it is still what the mail went out for.

    One UPDATE, so nothing changes in between: the account is live, has the address the mail
    went to and, where the grant carries one, the same credentials version; else the link is
    stale. The row stays locked until the caller commits.
    """
    conditions = [
        User.id == grant.user_id,
        User.deleted_at.is_(None),
        func.lower(User.email) == grant.email.lower(),
    ]
    if grant.credentials_version is not None:
        conditions.append(User.credentials_version == grant.credentials_version)
    user: User | None = db.scalar(update(User).where(*conditions).values(**changes).returning(User))
    if user is None:
        db.rollback()
        raise InvalidLinkToken()
    return user


# --- Verified addresses ---------------------------------------------------------------


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
        link=_link("verify-email", token),
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


def verify_email(db: Session, token: str) -> User:
    with _redeemed(Purpose.VERIFY_EMAIL, token) as grant:
        user = _claim(db, grant, email_verified=True)
        db.commit()
    return user


# --- Email change ----------------------------------------------------------------------


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
        link=_link("confirm-email", token),
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
        link=_link("revert-email", token),
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
    service._confirm_password(user, password, client_ip, session_id)
    if new_email.lower() == user.email.lower():
        raise EmailUnchanged()
    started = time.monotonic()
    # Two buckets: requests of this account, and mails into the new mailbox. Anyone can aim
    # requests at a victim's address; they must not use up the victim's own changes.
    limits.check_mail_to_allowed("change-from", user.email, settings.email_change_max)
    limits.check_mail_to_allowed("change-to", new_email, settings.email_change_max)
    taken = service.find_user_by_email(db, new_email) is not None
    service.end_read(db)  # the relay may take up to the deadline
    if not taken and not holds.is_held_for_another(new_email, user.id):
        to_new = _change_confirmation_mail(user, new_email)
    else:
        to_new = _address_taken_mail(new_email)
    mail.deliver(
        [to_new, _change_notice_mail(user, new_email)], started + settings.mail_send_deadline_s
    )
    events.record(db, user.id, EventKind.EMAIL_CHANGE_REQUESTED, new_email=new_email)
    _pad_until(started + settings.mail_answer_floor_s)


def confirm_email_change(db: Session, token: str) -> User:
    with _redeemed(Purpose.CHANGE_EMAIL, token) as grant:
        assert grant.new_email is not None
        if holds.is_held_for_another(grant.new_email, grant.user_id):
            raise EmailAlreadyRegistered()
        try:
            user = _claim(db, grant, email=grant.new_email, email_verified=True)
        except IntegrityError as exc:
            # A live account took the address since the mail went out: the unique index says so.
            db.rollback()
            raise EmailAlreadyRegistered() from exc
        db.commit()
    # Held before anyone can see the change: the old address stays this account's to revert.
    holds.hold_address(grant.email, user.id)
    events.record(db, user.id, EventKind.EMAIL_CHANGE_CONFIRMED, old_email=grant.email)
    return user


@dataclass(frozen=True)
class Reverted:
    user: User
    reset_token: str


def _reset_grant(user: User) -> str:
    grant = Grant(
        Purpose.RESET_PASSWORD, user.id, user.email, credentials_version=user.credentials_version
    )
    return onetime.issue(grant, get_settings().password_reset_ttl_s)


def revert_email_change(db: Session, token: str) -> Reverted:
    """The old address takes the account back: the revert link of a change notice.

    Whoever changed the address knew the password and may hold sessions, so in one UPDATE
    the old address returns (verified: this link reached it), the credentials version rises
    (pending change links and every session die) and the password becomes one nobody knows;
    the answer carries a reset token to choose a new one. Refused, and the link kept, when
    another live account owns the old address by now.
    """
    grant = onetime.redeem(Purpose.REVERT_EMAIL, token)
    try:
        user = db.scalar(
            update(User)
            .where(User.id == grant.user_id, User.deleted_at.is_(None))
            .values(
                email=grant.email,
                email_verified=True,
                credentials_version=User.credentials_version + 1,
                password_hash=hash_password(secrets.token_urlsafe(32)),
            )
            .returning(User)
        )
    except IntegrityError as exc:
        db.rollback()
        onetime.give_back(token, grant)
        raise EmailAlreadyRegistered() from exc
    except (*UNAVAILABLE_ERRORS, DependencyUnavailable):
        onetime.give_back(token, grant)
        raise
    if user is None:
        db.rollback()
        raise InvalidLinkToken()
    db.commit()
    # Postgres refuses every session already (credentials version); this ends them in Redis.
    sessions.end_all_sessions(user.id, credentials_version=user.credentials_version)
    limits.clear_login_lockouts(user.email)
    holds.release_address(grant.email)
    events.record(
        db, user.id, EventKind.EMAIL_CHANGE_REVERTED, restored=grant.email,
        replaced=grant.new_email or "",
    )  # fmt: skip
    return Reverted(user, _reset_grant(user))


# --- Password reset --------------------------------------------------------------------


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
        link=_link("reset-password", token),
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
    user = service.find_user_by_email(db, email)
    service.end_read(db)  # the relay may take up to the deadline
    if user is not None:
        mail.deliver([_reset_mail(user)], started + settings.mail_send_deadline_s)
    _pad_until(started + settings.mail_answer_floor_s)


def reset_password(db: Session, token: str, new_password: str) -> LoginToken:
    """Set the password from a reset link; the mail proved the address, so it is verified.

    The link dies when the account's password or address changed since it was mailed. Every
    session and device token ends, the account's login lockouts clear, a new session starts.
    """
    with _redeemed(Purpose.RESET_PASSWORD, token) as grant:
        # The row stays locked through set_password's commit: a concurrent password change
        # waits, then raises the credentials version after this one.
        user = _claim(db, grant, email_verified=True)
        service.set_password(db, user, new_password)
    limits.clear_login_lockouts(user.email)
    events.record(db, user.id, EventKind.PASSWORD_RESET)
    return service.start_session(db, user)
