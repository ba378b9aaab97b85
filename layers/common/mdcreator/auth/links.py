"""Mailed links coming back: a verified address, a confirmed email change.

Every link carries a one-time token (onetime.py) whose grant is checked against the account
in the same UPDATE that applies it: a link proves one address of one account, so it dies
when the account's address changed since the mail went out. No mail and no bcrypt here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import DependencyUnavailable
from ..infra.db import UNAVAILABLE_ERRORS
from . import events, holds, onetime
from .errors import EmailAlreadyRegistered, InvalidLinkToken
from .events import EventKind
from .models import User
from .onetime import Grant, Purpose


@contextmanager
def redeemed(purpose: Purpose, token: str) -> Iterator[Grant]:
    """The token's grant, spent; given back when the database could not be asked."""
    grant = onetime.redeem(purpose, token)
    try:
        yield grant
    except (*UNAVAILABLE_ERRORS, DependencyUnavailable):
        onetime.give_back(token, grant)
        raise


def claim(db: Session, grant: Grant, **changes: object) -> User:
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


def verify_email(db: Session, token: str) -> User:
    with redeemed(Purpose.VERIFY_EMAIL, token) as grant:
        user = claim(db, grant, email_verified=True)
        db.commit()
    return user


def confirm_email_change(db: Session, token: str) -> User:
    with redeemed(Purpose.CHANGE_EMAIL, token) as grant:
        assert grant.new_email is not None
        if holds.is_held_for_another(grant.new_email, grant.user_id):
            raise EmailAlreadyRegistered()
        try:
            user = claim(db, grant, email=grant.new_email, email_verified=True)
        except IntegrityError as exc:
            # A live account took the address since the mail went out: the unique index says so.
            db.rollback()
            raise EmailAlreadyRegistered() from exc
        db.commit()
    # Held before anyone can see the change: the old address stays this account's to revert.
    holds.hold_address(grant.email, user.id)
    events.record(db, user.id, EventKind.EMAIL_CHANGE_CONFIRMED, old_email=grant.email)
    return user
