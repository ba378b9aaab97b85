"""Login lockout per account and sliding-window limits per client IP, in Redis.

Keys (under the same prefix as store.py):
  login-failures:{email-hash}  failed logins of the account; TTL login_failure_window_s
  login-lock:{email-hash}      present while the account is locked; TTL 2^(n-5) s, capped
  login-ip:{ip}                sorted set of failed-login times; TTL login_ip_window_s
  signup-ip:{ip}               sorted set of signup times; TTL signup_ip_window_s
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid

from .config import get_settings
from .errors import TooManyAttempts
from .store import fail_closed, get_redis, key

# Returns 0 when under the limit (recording the hit when ARGV[4] is '1'), else the wait in ms.
_SLIDING_WINDOW = """
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
"""


def _account(email: str) -> str:
    # Keys name a digest, not the address: no personal data in Redis key names.
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def _sliding_window(name: str, client: str, limit: int, window_s: int, *, record: bool) -> None:
    wait_ms = get_redis().eval(
        _SLIDING_WINDOW,
        1,
        key(name, client),
        int(time.time() * 1000),
        window_s * 1000,
        limit,
        "1" if record else "0",
        uuid.uuid4().hex,
    )
    if wait_ms:
        raise TooManyAttempts(math.ceil(int(wait_ms) / 1000))


def _login_ip_window(client_ip: str, *, record: bool) -> None:
    settings = get_settings()
    _sliding_window(
        "login-ip",
        client_ip,
        settings.login_ip_max_failures,
        settings.login_ip_window_s,
        record=record,
    )


@fail_closed
def check_signup_allowed(client_ip: str) -> None:
    settings = get_settings()
    _sliding_window(
        "signup-ip", client_ip, settings.signup_ip_max, settings.signup_ip_window_s, record=True
    )


@fail_closed
def check_login_allowed(email: str, client_ip: str) -> None:
    """Refuse while the account is locked or the IP has failed too often, whatever the password."""
    _login_ip_window(client_ip, record=False)
    locked_ms = get_redis().pttl(key("login-lock", _account(email)))
    if locked_ms > 0:
        raise TooManyAttempts(math.ceil(locked_ms / 1000))


@fail_closed
def record_login_failure(email: str, client_ip: str) -> None:
    settings = get_settings()
    account = _account(email)
    pipe = get_redis().pipeline(transaction=True)
    pipe.incr(key("login-failures", account))
    pipe.expire(key("login-failures", account), settings.login_failure_window_s)
    failures = int(pipe.execute()[0])
    if failures >= settings.login_max_failures:
        lock_s = min(2 ** (failures - settings.login_max_failures), settings.login_lockout_cap_s)
        get_redis().set(key("login-lock", account), "1", ex=lock_s)
    try:
        _login_ip_window(client_ip, record=True)
    except TooManyAttempts:
        pass  # already over the limit: the next attempt is refused by check_login_allowed


@fail_closed
def clear_login_failures(email: str) -> None:
    account = _account(email)
    get_redis().delete(key("login-failures", account), key("login-lock", account))


def mailbox(email: str) -> str:
    """The mailbox an address delivers to, for limits: case and a +tag make no new one."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


@fail_closed
def check_mail_allowed(client_ip: str) -> None:
    """Mails triggered from one client IP, across addresses and kinds of mail."""
    settings = get_settings()
    _sliding_window(
        "mail-ip", client_ip, settings.mail_ip_max, settings.mail_ip_window_s, record=True
    )


@fail_closed
def check_mail_to_allowed(kind: str, email: str, limit: int) -> None:
    """Mails of one kind to one mailbox, counted whether or not an account owns it."""
    mailbox_tag = "{" + _account(mailbox(email)) + "}"
    _sliding_window(
        f"mail-{kind}", mailbox_tag, limit, get_settings().mail_address_window_s, record=True
    )
