"""Sliding-window limits in Redis, checked and recorded in one script (parallel requests
cannot all pass the check before any is recorded), and what counts as one mailbox."""

from __future__ import annotations

import math
import time
import uuid

from ..core.errors import TooManyAttempts
from .redis import Script

# KEYS: the window. ARGV: now, window_ms, limit, record ('1'/'0'), member.
# Returns 0 when under the limit (recording the hit when asked), else the wait in ms.
SLIDING_WINDOW = Script("""
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], window)
end
return 0
""")


def now_ms() -> int:
    return int(time.time() * 1000)


def refusal(wait_ms: int) -> TooManyAttempts:
    return TooManyAttempts(math.ceil(int(wait_ms) / 1000))


def check_window(
    window_key: str, limit: int, window_s: int, *, record: bool, member: str = ""
) -> None:
    """Raise TooManyAttempts when `limit` hits lie within `window_s`; else record one if asked.

    Callers wrap this in infra.redis.fail_closed (or a function that is)."""
    wait_ms = SLIDING_WINDOW(
        [window_key],
        [now_ms(), window_s * 1000, limit, "1" if record else "0", member or uuid.uuid4().hex],
    )
    if wait_ms:
        raise refusal(wait_ms)


# Gmail ignores dots in the local part: a.b@gmail.com and ab@gmail.com are one mailbox.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox(email: str) -> str:
    """The mailbox an address delivers to, for limits only (mail goes to the address as
    given): case and a +tag make no new one, nor dots at Gmail."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"
