"""A mail of the kind the API sends, to build and deliver in tests."""

from __future__ import annotations

from typing import Any

from mdcreator.infra import mail

LINK = "http://localhost:5173/verify-email?token=abc_DEF-123"


def sample_mail(**changes: Any) -> mail.Mail:
    """A confirmation mail to ada@example.com with LINK, and the fields `changes` names."""
    values: dict[str, Any] = {
        "to": "ada@example.com",
        "subject": "Confirm your email address for MD Creator",
        "paragraphs": ("Please confirm <ada@example.com>.",),
        "link": LINK,
        "link_label": "Confirm your address",
        "lifetime_s": 86400,
    }
    return mail.Mail(**{**values, **changes})
