"""Login lockouts and per-client rate limits, in Redis, checked and reserved before bcrypt.

A login attempt counts as a failure from the moment it is *reserved*, in the same script that
checks the limits: parallel guesses cannot all pass the check before any is recorded. A
success gives its reservation back and clears its client's count; a failure starts the
client's backoff once it is known.

Successes count too: every password check is one bcrypt, and correct logins in a loop would
fill the function's concurrency. Each attempt counts per client IP and per minute in the
bucket of its proof (the account's, a device token's, a session's).

No lockout aimed at an account closes it to its owner: the hard lock is per (account,
client); the account-wide limits against distributed guessing and floods, which a few dozen
clients can trip, let a device token from an earlier login through (OWASP "device cookies"),
and password reset clears it all. A valid device token is its own lock key: the (account,
client) lock of a neighbour behind the same NAT does not apply to it, its own failure budget
does (sessions.py: after DEVICE_TOKEN_MAX_FAILURES it is revoked). A live session confirming
its password has a budget of its own (sessions.py: the session ends after
PASSWORD_CONFIRM_SESSION_MAX_FAILURES) and a per-account backstop only session holders
count against.

Keys (under the same prefix as store.py; {acct} is a digest of the email, never the address):
  login-fails:{acct}  hash client -> "failures:locked_until:last_failure:checks_in_flight"
                      (ms); expires LOGIN_FAILURE_WINDOW_S after the account's last failure
  login-acct:{acct}   sorted set of the account's failures from every client, by time (ms)
  login-confirm:{acct} sorted set of wrong current passwords from live sessions, by time (ms)
  login-attempts:{acct}[:device:<digest>|:session:<sid>]
                      sorted set of every password check in the last minute, by proof
  login-ip:<client>   sorted set of failed logins from one client across accounts
  login-ip-attempts:<client>  sorted set of every password check from one client, last minute
  signup-ip:<client>  sorted set of signups from one client
A client is its IP address; an IPv6 client is its /64, which one subscriber usually holds whole.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
import uuid
from dataclasses import dataclass
from typing import Literal

from ..core.config import get_settings
from ..core.errors import TooManyAttempts
from ..infra.ratelimit import check_window, mailbox, refusal
from ..infra.redis import Script, fail_closed, get_redis, key

# A client's entry in login-fails: "failures:locked_until:last_failure:in_flight" (ms).
# While a check at or past the limit is in flight the client is locked until it ends (or
# CHECK_TIMEOUT_MS passes, should its function die): the backoff starts when the failure is
# known, not when the check began, however long bcrypt takes.
_PARSE_ENTRY = """
local function parse(entry, now, window)
  if entry then
    local f, l, last, busy = string.match(entry, '^(%d+):(%d+):(%d+):(%d+)$')
    if f and now - tonumber(last) < window then
      return tonumber(f), tonumber(l), tonumber(busy)
    end
  end
  return 0, 0, 0
end
local function store(key, client, failures, locked_until, now, busy, window)
  redis.call('HSET', key, client,
             string.format('%d:%d:%d:%d', failures, locked_until, now, busy))
  redis.call('PEXPIRE', key, window)
end
"""

# KEYS: login-fails, login-acct, login-confirm, the proof's attempts bucket. ARGV: client,
# now, max failures, check timeout ms, window ms, account max failures, reservation id, proof
# ('none', 'device', 'session'), session confirmation max failures, attempts per minute.
# A device token is a lock key of its own (sessions.py counts its failures): the client's
# lock neither stops nor counts it. Returns 0 when the attempt is reserved, else the wait in ms.
_RESERVE_LOGIN = Script(
    _PARSE_ENTRY
    + """
local now, window = tonumber(ARGV[2]), tonumber(ARGV[5])
local device = ARGV[8] == 'device'
local failures, locked_until, busy = parse(redis.call('HGET', KEYS[1], ARGV[1]), now, window)
if not device and locked_until > now then return locked_until - now end
local function full(set, limit, span)
  redis.call('ZREMRANGEBYSCORE', set, 0, now - span)
  if redis.call('ZCARD', set) < tonumber(limit) then return false end
  local oldest = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + span - now)
end
local wait = false
if ARGV[8] == 'none' then wait = full(KEYS[2], ARGV[6], window) end
if ARGV[8] == 'session' then wait = full(KEYS[3], ARGV[9], window) end
wait = wait or full(KEYS[4], ARGV[10], 60000)
if wait then return wait end
redis.call('ZADD', KEYS[4], now, ARGV[7])
redis.call('PEXPIRE', KEYS[4], 60000)
if ARGV[8] == 'session' then
  redis.call('ZADD', KEYS[3], now, ARGV[7])
  redis.call('PEXPIRE', KEYS[3], window)
end
if not device then
  failures = failures + 1
  if failures >= tonumber(ARGV[3]) then locked_until = now + tonumber(ARGV[4]) end
  store(KEYS[1], ARGV[1], failures, locked_until, now, busy + 1, window)
end
redis.call('ZADD', KEYS[2], now, ARGV[7])
redis.call('PEXPIRE', KEYS[2], window)
return 0
"""
)

# KEYS: login-fails. ARGV: client, now, max failures, lock cap ms, window ms.
# The reserved check failed: once no other check of this client is in flight, the lock is
# 2^(failures - max) s from now, capped.
_FAIL_LOGIN = Script(
    _PARSE_ENTRY
    + """
local now, window = tonumber(ARGV[2]), tonumber(ARGV[5])
local failures, locked_until, busy = parse(redis.call('HGET', KEYS[1], ARGV[1]), now, window)
if failures == 0 then return 0 end
busy = math.max(0, busy - 1)
local over = failures - tonumber(ARGV[3])
if over >= 0 then
  local backoff = now + math.min(2 ^ math.min(over, 40) * 1000, tonumber(ARGV[4]))
  if busy > 0 then locked_until = math.max(locked_until, backoff) else locked_until = backoff end
end
store(KEYS[1], ARGV[1], failures, locked_until, now, busy, window)
return 0
"""
)

# KEYS: login-fails, login-acct, login-confirm. ARGV: client, reservation id, whether the
# client's count clears ('1'; not for a device token, which never added to it). The attempt
# stays in its attempts bucket: successes count there too.
_RELEASE_LOGIN = Script("""
if ARGV[3] == '1' then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
""")

# How long a reserved password check may take before its client's lock lapses without it:
# above any function's timeout.
CHECK_TIMEOUT_MS = 30_000


Proof = Literal["none", "device", "session"]


@dataclass(frozen=True)
class LoginAttempt:
    """A reserved attempt: counted as a failure until `release_login` gives it back."""

    email: str
    client: str
    reservation: str
    proof: Proof = "none"


def client_key(client_ip: str) -> str:
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return client_ip  # not an address ("unknown"): counted as itself
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _account(email: str) -> str:
    # Keys name a digest, not the address: no personal data in Redis key names.
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    return "{" + digest + "}"


def failures_key(email: str) -> str:
    return key("login-fails", _account(email))


def _account_key(email: str) -> str:
    return key("login-acct", _account(email))


def _confirm_key(email: str) -> str:
    return key("login-confirm", _account(email))


def _attempts_key(email: str, proof: Proof, proof_id: str) -> str:
    """The per-minute bucket of every attempt at the account with this proof: the account's
    own for attempts without one, else the device token's or the session's."""
    if proof == "none":
        return key("login-attempts", _account(email))
    return key("login-attempts", _account(email), proof, proof_id)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _refuse(wait_ms: int) -> TooManyAttempts:
    return refusal(wait_ms)


def _sliding_window(
    name: str, client: str, limit: int, window_s: int, *, record: bool, member: str = ""
) -> None:
    check_window(key(name, client_key(client)), limit, window_s, record=record, member=member)


@fail_closed
def check_signup_allowed(client_ip: str) -> None:
    settings = get_settings()
    _sliding_window(
        "signup-ip", client_ip, settings.signup_ip_max, settings.signup_ip_window_s, record=True
    )


@fail_closed
def reserve_login(
    email: str, client_ip: str, *, proof: Proof = "none", proof_id: str = ""
) -> LoginAttempt:
    """Check every limit for a password check and reserve it, or raise TooManyAttempts.

    Every attempt, right or wrong, counts per client IP and per minute in the bucket of its
    proof (`proof_id`: a device token's digest, a session's id). A valid device token of an
    earlier login of this account replaces the account-wide limit and the client's lock,
    which anyone who knows the address, or shares the owner's IP, can trip: its own failures
    are counted by sessions.py. A live session confirming its password (change, deletion,
    email change) meets a limit of its own that only session holders count against; the
    client's lock applies to it.
    """
    settings = get_settings()
    attempt = LoginAttempt(email, client_key(client_ip), uuid.uuid4().hex, proof)
    # The client's windows across accounts have hash slots of their own: scripts of their own.
    _sliding_window(
        "login-ip-attempts",
        client_ip,
        settings.login_ip_attempts_per_min,
        60,
        record=True,
        member=attempt.reservation,
    )
    try:
        _sliding_window(
            "login-ip",
            client_ip,
            settings.login_ip_max_failures,
            settings.login_ip_window_s,
            record=True,
            member=attempt.reservation,
        )
    except TooManyAttempts:
        get_redis().zrem(key("login-ip-attempts", attempt.client), attempt.reservation)
        raise
    wait_ms = _RESERVE_LOGIN(
        [
            failures_key(email),
            _account_key(email),
            _confirm_key(email),
            _attempts_key(email, proof, proof_id),
        ],
        [
            attempt.client,
            _now_ms(),
            settings.login_max_failures,
            CHECK_TIMEOUT_MS,
            settings.login_failure_window_s * 1000,
            settings.login_account_max_failures,
            attempt.reservation,
            proof,
            settings.password_confirm_max_failures,
            settings.login_account_attempts_per_min,
        ],
    )
    if wait_ms:
        # Refused before any password was checked: not an attempt of this client.
        pipe = get_redis().pipeline(transaction=False)
        pipe.zrem(key("login-ip", attempt.client), attempt.reservation)
        pipe.zrem(key("login-ip-attempts", attempt.client), attempt.reservation)
        pipe.execute()
        raise _refuse(wait_ms)
    return attempt


@fail_closed
def fail_login(attempt: LoginAttempt) -> None:
    """The password was wrong: the reservation stays a failure, and the backoff starts now
    (a device token's failures are its own, see sessions.py)."""
    if attempt.proof == "device":
        return
    settings = get_settings()
    _FAIL_LOGIN(
        [failures_key(attempt.email)],
        [
            attempt.client,
            _now_ms(),
            settings.login_max_failures,
            settings.login_lockout_cap_s * 1000,
            settings.login_failure_window_s * 1000,
        ],
    )


@fail_closed
def release_login(attempt: LoginAttempt) -> None:
    """The password was right: the reservation was no failure, and the client's count clears."""
    _RELEASE_LOGIN(
        [failures_key(attempt.email), _account_key(attempt.email), _confirm_key(attempt.email)],
        [attempt.client, attempt.reservation, "0" if attempt.proof == "device" else "1"],
    )
    get_redis().zrem(key("login-ip", attempt.client), attempt.reservation)


@fail_closed
def clear_login_lockouts(email: str) -> None:
    """Forget every failure and lock of the account, from every client (password reset)."""
    get_redis().delete(failures_key(email), _account_key(email), _confirm_key(email))


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
    mailbox_tag = _account(mailbox(email))
    _sliding_window(
        f"mail-{kind}", mailbox_tag, limit, get_settings().mail_address_window_s, record=True
    )
