"""The accepted file types and the first bytes each must start with.

A table of six entries rather than a general detector (puremagic): these are all the types
there are to check, the check is exact (a signature at offset 0, not a best guess among
hundreds of formats), and it costs no import (puremagic's database took 80-370 ms to load on
this machine).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

# How many first bytes `complete` reads: every signature, and enough text to judge it.
SNIFF_BYTES = 512

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}


def _is_webp(head: bytes, _whole: bool) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_text(head: bytes, whole: bool) -> bool:
    """UTF-8 without NUL, and none of the binary types in disguise."""
    if b"\0" in head or any(_starts_with(head, s) for s in _SIGNATURES) or _is_webp(head, whole):
        return False
    try:
        # Not the whole file: a character cut at the end of the sample is no error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return False
    return True


def _starts_with(head: bytes, content_type: str) -> bool:
    return any(head.startswith(signature) for signature in _SIGNATURES[content_type])


def _signature_check(content_type: str) -> Callable[[bytes, bool], bool]:
    def check(head: bytes, _whole: bool) -> bool:
        return _starts_with(head, content_type)

    return check


_CHECKS: dict[str, Callable[[bytes, bool], bool]] = {
    **{kind: _signature_check(kind) for kind in _SIGNATURES},
    "image/webp": _is_webp,
    "text/plain": _is_text,
}
ACCEPTED = frozenset(_CHECKS)
# Shown in the browser; everything else is downloaded (a PDF or a text file never renders
# on a page of ours).
INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def matches(content_type: str, head: bytes, *, whole: bool) -> bool:
    """Whether the first bytes (`whole`: the entire file) are of the declared type."""
    check = _CHECKS.get(content_type)
    return check is not None and check(head, whole)


def served_type(content_type: str) -> str:
    """The Content-Type a download carries: text with its charset spelled out."""
    return "text/plain; charset=utf-8" if content_type == "text/plain" else content_type
