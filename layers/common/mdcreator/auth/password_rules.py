"""What a password may be: the rules the schemas check and bcrypt relies on (no bcrypt here)."""

from __future__ import annotations

import unicodedata

# bcrypt reads at most 72 bytes; longer passwords are rejected by the schemas, never truncated.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_CHARACTERS = 8


def normalize_password(password: str) -> str:
    """NFKC, as NIST 800-63B asks: the same password typed on any keyboard is one password."""
    return unicodedata.normalize("NFKC", password)
