"""Sessions in Redis: refresh rotation, revocations and device tokens. Unreachable Redis fails
closed.

Every key of one user carries the hash tag {user_id}, and every script touches the keys of
one user only: each runs in one hash slot, so the code runs unchanged on Redis Cluster
(ElastiCache Serverless is always one).

Keys (under settings.redis_key_prefix, "mdc:" by default):
  session:{uid}:<sid>   hash refresh_hash, previous_hash (SHA-256 of the secrets), nonce (of
                        the last rotation), rotated_at, cv, created_at (ms); a session of the
                        previous release has refresh_jti, previous_jti until it rotates;
                        confirm_failures: wrong current passwords it gave; last_used_at (ms,
                        login or refresh), ip, ua (of the last use), device (digest of the
                        device token the login got)
  rotated:{uid}:<sid>   sorted set of the session's rotated refresh hashes, by rotation time
  sessions:{uid}        sorted set of the user's session ids by login time (ms)
  user:{uid}            hash cv: the credentials version every session must carry
  revoked:{uid}:<jti>   "1" while a logged-out access token would still be valid
  devices:{uid}         hash sha256(device token) -> "expiry[:failures]" (ms): failures are
                        wrong passwords given with it, each counted from the moment its check
                        is reserved until it proves right
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ..core.config import get_settings
from ..core.context import Client, current_client
from ..infra.redis import Script, fail_closed, get_redis, key
from .tokens import child_secret, new_nonce, refresh_digest


def _tag(user_id: uuid.UUID | str) -> str:
    return "{" + str(user_id) + "}"


def session_key(user_id: uuid.UUID | str, session_id: uuid.UUID | str) -> str:
    return key("session", _tag(user_id), session_id)


def _user_keys(user_id: uuid.UUID | str) -> tuple[str, str, str]:
    """user, sessions, devices: the keys every per-user script starts from."""
    tag = _tag(user_id)
    return key("user", tag), key("sessions", tag), key("devices", tag)


def _now_ms() -> int:
    return int(time.time() * 1000)


def seconds_until(moment: datetime) -> int:
    return max(1, int((moment - datetime.now(UTC)).total_seconds()) + 1)


def _max_age_ms() -> int:
    return get_settings().session_max_age_days * 86_400_000


def _refresh_life_ms() -> int:
    return get_settings().refresh_token_expire_days * 86_400_000


def _client_args(client: Client) -> tuple[str, str]:
    return client.ip or "", client.user_agent or ""


class Rotation(StrEnum):
    ROTATED = "rotated"
    DUPLICATE = "duplicate"  # the token just rotated, presented again within the grace period
    REUSED = "reused"  # an older rotated token: treated as theft, the session is gone
    GONE = "gone"  # logged out, expired, past its absolute lifetime or its credentials
    UNKNOWN = "unknown"  # never a token of this session (a guess): refused, the session stays


@dataclass(frozen=True)
class Refresh:
    """What a refresh may hand out: the session's current refresh secret and when it ends."""

    outcome: Rotation
    secret: str | None = None
    ends_at: datetime | None = None  # login time + SESSION_MAX_AGE_DAYS


# KEYS: user, sessions, session. ARGV: sid, refresh_hash, cv, now, ttl_ms, max_sessions,
# session key prefix, max_age_ms. A session whose credentials are already outdated is never
# created: this is what a login racing a password change runs into. Returns 1 or 0.
# ARGV 9 and 10, the client's ip and user agent, are the session's metadata.
_CREATE_SESSION = Script(
    """
local cv = tonumber(ARGV[3])
if cv < tonumber(redis.call('HGET', KEYS[1], 'cv') or '0') then return 0 end
redis.call('HSET', KEYS[3], 'refresh_hash', ARGV[2], 'cv', ARGV[3], 'created_at', ARGV[4])
redis.call('HSET', KEYS[3], 'last_used_at', ARGV[4], 'ip', ARGV[9], 'ua', ARGV[10])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
for _, sid in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', ARGV[7] .. sid) == 0 then redis.call('ZREM', KEYS[2], sid) end
end
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[6])
if excess > 0 then
  for _, sid in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do
    redis.call('DEL', ARGV[7] .. sid)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
end
redis.call('PEXPIRE', KEYS[2], ARGV[8])
return 1
"""
)

# KEYS: session, sessions, rotated. ARGV: presented hash, child hash, nonce, now, grace_ms,
# sid, max_age_ms, refresh_life_ms, the user's credentials version, the jti of a legacy
# refresh JWT ('' for an opaque token), how many rotated hashes to remember. Of N concurrent
# refreshes with one token exactly one rotates; the others, within the grace period, get the
# nonce that derives the same child. A hash that was never this session's is refused and
# ends nothing: the session's ids are in every access token, a guess must not log anyone
# out. A legacy JWT carries our signature: one that is not the session's current one is an
# older one of its chain. ARGV 12 and 13, the client's ip and user agent, become the
# session's last use. Returns {outcome, created_at, nonce}.
_ROTATE = Script(
    """
local s = redis.call('HMGET', KEYS[1], 'refresh_hash', 'previous_hash', 'rotated_at', 'cv',
                      'created_at', 'nonce', 'refresh_jti', 'previous_jti')
local current, previous = s[1], s[2]
local rotated_at, cv, created = tonumber(s[3] or '0'), tonumber(s[4] or '0'), tonumber(s[5])
local now, grace, legacy = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[10]
local function finish(outcome)
  redis.call('DEL', KEYS[1], KEYS[3])
  redis.call('ZREM', KEYS[2], ARGV[6])
  return {outcome}
end
if not created or not (current or s[7]) then return {'gone'} end
if cv < tonumber(ARGV[9]) or now - created >= tonumber(ARGV[7]) then return finish('gone') end
if current == ARGV[1] or (not current and legacy ~= '' and s[7] == legacy) then
  redis.call('HSET', KEYS[1], 'refresh_hash', ARGV[2], 'previous_hash', ARGV[1],
             'nonce', ARGV[3], 'rotated_at', now)
  redis.call('HDEL', KEYS[1], 'refresh_jti', 'previous_jti')
  redis.call('HSET', KEYS[1], 'last_used_at', now, 'ip', ARGV[12], 'ua', ARGV[13])
  redis.call('ZADD', KEYS[3], now, ARGV[1])
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[11]) - 1)
  local left = math.min(tonumber(ARGV[8]), created + tonumber(ARGV[7]) - now)
  redis.call('PEXPIRE', KEYS[1], left)
  redis.call('PEXPIRE', KEYS[3], left)
  return {'rotated', tostring(created), ARGV[3]}
end
if previous == ARGV[1] and now - rotated_at <= grace then
  return {'duplicate', tostring(created), s[6]}
end
if not current and legacy ~= '' and s[8] == legacy and now - rotated_at <= grace then
  return {'unknown'}  -- rotated by the previous release moments ago: its child is the one
end
if legacy ~= '' or redis.call('ZSCORE', KEYS[3], ARGV[1]) then return finish('reused') end
return {'unknown'}
"""
)

# KEYS: user, sessions, devices. ARGV: new cv ('' keeps it), sid to keep ('' for none),
# session key prefix, max_age_ms. Ends every session but one and every device token in one
# step; with a new cv, a session that is still being created (a login that read the old
# password) is refused by _CREATE_SESSION. Returns how many sessions ended.
_END_ALL = Script(
    """
local cv = ARGV[1]
if cv ~= '' then
  redis.call('HSET', KEYS[1], 'cv', cv)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
local ended = 0
for _, sid in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local session = ARGV[3] .. sid
  if sid == ARGV[2] then
    if cv ~= '' and redis.call('EXISTS', session) == 1 then
      redis.call('HSET', session, 'cv', cv)
    end
  else
    ended = ended + redis.call('DEL', session)
    redis.call('ZREM', KEYS[2], sid)
  end
end
redis.call('DEL', KEYS[3])
return ended
"""
)

# KEYS: devices, the login's session. ARGV: digest, expiry, now, max tokens. Keeps the newest
# ones. Returns 0, adding nothing, when the session is gone already: a logout-all or password
# change that ended it after it was created must not be outlived by its device token.
_ADD_DEVICE = Script(
    """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'device', ARGV[1])
local function expiry(entry) return tonumber(string.match(entry, '^(%d+)')) end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if expiry(all[i + 1]) <= tonumber(ARGV[3]) then redis.call('HDEL', KEYS[1], all[i]) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local left = redis.call('HGETALL', KEYS[1])
local excess = #left / 2 - tonumber(ARGV[4])
while excess > 0 do
  local oldest, oldest_expiry = nil, nil
  for i = 1, #left, 2 do
    local ends = expiry(left[i + 1])
    if left[i] ~= ARGV[1] and (not oldest_expiry or ends < oldest_expiry) then
      oldest, oldest_expiry = left[i], ends
    end
  end
  redis.call('HDEL', KEYS[1], oldest)
  left = redis.call('HGETALL', KEYS[1])
  excess = excess - 1
end
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
"""
)


@fail_closed
def create_session(
    user_id: uuid.UUID, session_id: uuid.UUID, refresh_hash: str, credentials_version: int
) -> datetime | None:
    """Start a session; returns when it ends at the latest, or None when its credentials are
    outdated already (the password changed since they were checked)."""
    settings = get_settings()
    user, sessions, _ = _user_keys(user_id)
    now = _now_ms()
    created = _CREATE_SESSION(
        [user, sessions, session_key(user_id, session_id)],
        [
            str(session_id),
            refresh_hash,
            credentials_version,
            now,
            min(_refresh_life_ms(), _max_age_ms()),
            settings.max_sessions_per_user,
            session_key(user_id, ""),
            _max_age_ms(),
            *_client_args(current_client()),
        ],
    )
    if not created:
        return None
    return _ends_at(now)


def _ends_at(created_ms: int) -> datetime:
    return datetime.fromtimestamp((created_ms + _max_age_ms()) / 1000, UTC)


def refresh_expiry(ends_at: datetime) -> datetime:
    """When a refresh token issued now dies: a sliding REFRESH_TOKEN_EXPIRE_DAYS, capped at
    its session's end (the session key's own expiry)."""
    return min(datetime.now(UTC) + timedelta(milliseconds=_refresh_life_ms()), ends_at)


def _rotated_key(user_id: uuid.UUID | str, session_id: uuid.UUID | str) -> str:
    return key("rotated", _tag(user_id), session_id)


# Rotated refresh hashes a session remembers to tell theft from a guess: at one refresh per
# access token lifetime, more than two days of constant use.
ROTATED_MEMORY = 256


@fail_closed
def rotate_refresh_token(
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    presented: str,
    credentials_version: int,
    *,
    legacy_jti: uuid.UUID | None = None,
) -> Refresh:
    """Rotate the session's refresh token; `presented` is the secret of an opaque token or a
    whole legacy refresh JWT (then with its jti)."""
    settings = get_settings()
    _, sessions, _ = _user_keys(user_id)
    nonce = new_nonce()
    result = _ROTATE(
        [session_key(user_id, session_id), sessions, _rotated_key(user_id, session_id)],
        [
            refresh_digest(presented),
            refresh_digest(child_secret(presented, nonce)),
            nonce,
            _now_ms(),
            int(settings.refresh_reuse_grace_s * 1000),
            str(session_id),
            _max_age_ms(),
            _refresh_life_ms(),
            credentials_version,
            "" if legacy_jti is None else str(legacy_jti),
            ROTATED_MEMORY,
            *_client_args(current_client()),
        ],
    )
    outcome = Rotation(result[0])
    if len(result) == 1:
        return Refresh(outcome)
    return Refresh(outcome, child_secret(presented, result[2]), _ends_at(int(result[1])))


@fail_closed
def end_session(user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    # Two single-key commands: the index entry of a deleted session is pruned at the next login.
    redis = get_redis()
    redis.delete(session_key(user_id, session_id), _rotated_key(user_id, session_id))
    redis.zrem(_user_keys(user_id)[1], str(session_id))


@fail_closed
def end_all_sessions(
    user_id: uuid.UUID, *, keep: uuid.UUID | None = None, credentials_version: int | None = None
) -> int:
    """End every session of the user but `keep`, and revoke every device token, atomically.

    With a credentials version, sessions carrying an older one can no longer be created
    either; `keep` is moved to the new version. Returns how many sessions ended.
    """
    ended = _END_ALL(
        _user_keys(user_id),
        [
            "" if credentials_version is None else credentials_version,
            "" if keep is None else str(keep),
            session_key(user_id, ""),
            _max_age_ms(),
        ],
    )
    return int(ended)


@fail_closed
def revoke_token(user_id: uuid.UUID, jti: uuid.UUID, expires_at: datetime) -> None:
    get_redis().set(key("revoked", _tag(user_id), jti), "1", ex=seconds_until(expires_at))


@fail_closed
def session_credentials(user_id: uuid.UUID, session_id: uuid.UUID, jti: uuid.UUID) -> int | None:
    """The credentials version of a live token's session; None when the token is dead.

    A token is live while its session exists and its own id is not revoked.
    """
    pipe = get_redis().pipeline(transaction=False)
    pipe.hget(session_key(user_id, session_id), "cv")
    pipe.exists(key("revoked", _tag(user_id), jti))
    version, revoked = pipe.execute()
    if version is None or revoked:
        return None
    return int(version)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@fail_closed
def issue_device_token(user_id: uuid.UUID, session_id: uuid.UUID) -> str | None:
    """A new device token for the account, proof of the login that started `session_id`;
    None when that session has ended already. Only its digest is kept."""
    settings = get_settings()
    token = secrets.token_urlsafe(32)
    now = _now_ms()
    added = _ADD_DEVICE(
        [_user_keys(user_id)[2], session_key(user_id, session_id)],
        [
            _digest(token),
            now + settings.device_token_ttl_days * 86_400_000,
            now,
            settings.max_sessions_per_user,
        ],
    )
    return token if added else None


def _device_expiry(entry: str | bytes) -> int:
    text = entry.decode() if isinstance(entry, bytes) else entry
    return int(text.split(":", 1)[0])


@fail_closed
def is_device_trusted(user_id: uuid.UUID, token: str) -> bool:
    entry = get_redis().hget(_user_keys(user_id)[2], _digest(token))
    return entry is not None and _device_expiry(entry) > _now_ms()


# KEYS: devices. ARGV: digest, now, max failures, change (+1 reserves a check, -1 gives a
# reservation back). A token at its failure budget is revoked, not trusted. Returns 1 when
# the token is trusted (and its check reserved), else 0.
_DEVICE_CHECK = Script(
    """
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return 0 end
local expiry, failures = string.match(entry, '^(%d+):?(%d*)$')
failures = tonumber(failures) or 0
local change = tonumber(ARGV[4])
if change < 0 then
  redis.call('HSET', KEYS[1], ARGV[1], expiry .. ':' .. math.max(0, failures + change))
  return 1
end
if tonumber(expiry) <= tonumber(ARGV[2]) or failures >= tonumber(ARGV[3]) then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], expiry .. ':' .. (failures + 1))
return 1
"""
)


def device_digest(token: str) -> str:
    """What identifies a device token in limits and in Redis: never the token itself."""
    return _digest(token)


@fail_closed
def reserve_device_check(user_id: uuid.UUID, token: str) -> bool:
    """Whether the device token is trusted for one password check, counted as a failure of
    the token until release_device_check: parallel guesses with a stolen token get at most
    DEVICE_TOKEN_MAX_FAILURES checks in all, then the token is revoked."""
    settings = get_settings()
    args: list[str | int] = [_digest(token), _now_ms(), settings.device_token_max_failures, 1]
    return bool(_DEVICE_CHECK([_user_keys(user_id)[2]], args))


@fail_closed
def release_device_check(user_id: uuid.UUID, token: str) -> None:
    """The reserved check proved right, or never ran: it was no failure."""
    _DEVICE_CHECK([_user_keys(user_id)[2]], [_digest(token), _now_ms(), 0, -1])


# KEYS: session, sessions. ARGV: sid, max failures, change (+1 reserves, -1 gives back, 0
# settles). A session that reached its budget of wrong current passwords is ended. Returns 1
# while the session lives, else 0.
_CONFIRMATION = Script(
    """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local change = tonumber(ARGV[3])
local failures = redis.call('HINCRBY', KEYS[1], 'confirm_failures', change)
if failures < 0 then redis.call('HSET', KEYS[1], 'confirm_failures', 0) end
if change == 0 and failures >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
return 1
"""
)


def _confirmation(user_id: uuid.UUID, session_id: uuid.UUID, change: int) -> bool:
    limit = get_settings().password_confirm_session_max_failures
    keys = [session_key(user_id, session_id), _user_keys(user_id)[1]]
    return bool(_CONFIRMATION(keys, [str(session_id), limit, change]))


@fail_closed
def reserve_confirmation(user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
    """Count a check of the session's current password as a wrong one until it proves right;
    False when the session is gone."""
    return _confirmation(user_id, session_id, 1)


@fail_closed
def release_confirmation(user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    _confirmation(user_id, session_id, -1)


@fail_closed
def settle_failed_confirmation(user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
    """After a wrong current password: the session ends once it has given
    PASSWORD_CONFIRM_SESSION_MAX_FAILURES of them. True while it lives."""
    return _confirmation(user_id, session_id, 0)


# --- The user's own view: list and end sessions, new-device notices -----------------------


@dataclass(frozen=True)
class SessionInfo:
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    ip: str | None
    user_agent: str | None


def _moment(ms: str | None, fallback: str) -> datetime:
    return datetime.fromtimestamp(int(ms or fallback) / 1000, UTC)


@fail_closed
def list_sessions(user_id: uuid.UUID) -> list[SessionInfo]:
    """The user's live sessions, newest login first (at most MAX_SESSIONS_PER_USER)."""
    redis = get_redis()
    ids = [str(sid) for sid in redis.zrevrange(_user_keys(user_id)[1], 0, -1)]
    pipe = redis.pipeline(transaction=False)
    for sid in ids:
        pipe.hmget(session_key(user_id, sid), "created_at", "last_used_at", "ip", "ua")
    found = []
    for sid, (created, used, ip, agent) in zip(ids, pipe.execute(), strict=True):
        if created is None:
            continue  # ended; its index entry is pruned at the next login
        found.append(
            SessionInfo(
                id=uuid.UUID(sid),
                created_at=_moment(created, created),
                last_used_at=_moment(used, created),
                ip=ip or None,
                user_agent=agent or None,
            )
        )
    return found


# KEYS: session, sessions, devices. ARGV: sid. Ends the session and the device token its
# login got, in one step. Returns 1, or 0 when there was no such session of this user.
_END_WITH_DEVICE = Script(
    """
local device = redis.call('HGET', KEYS[1], 'device')
local ended = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if device then redis.call('HDEL', KEYS[3], device) end
return ended
"""
)


@fail_closed
def end_session_and_device(user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
    """End one session of the user and its device token; False when it is not theirs/live."""
    user, sessions, devices = _user_keys(user_id)
    ended = _END_WITH_DEVICE(
        [session_key(user_id, session_id), sessions, devices], [str(session_id)]
    )
    return bool(ended)


class DeviceNotice(StrEnum):
    SEEN = "seen"  # this fingerprint logged in lately: not a new device
    MAIL = "mail"  # new, and the account's hourly share of notices is not used up
    QUIET = "quiet"  # new, but enough notices went out this hour


# KEYS: seen (hash fingerprint -> expiry ms), notices (sorted set of mails by time).
# ARGV: fingerprint, now, dedupe ms, max notices, window ms, known ('1': a trusted device
# token came with the login). Marks the fingerprint seen; decides in the same step whether a
# notice may go out, so parallel logins of one new device mail once.
_NEW_DEVICE = Script(
    """
local now = tonumber(ARGV[2])
local expiry = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[6] == '1' or expiry > now then return 'seen' end
redis.call('ZREMRANGEBYSCORE', KEYS[2], 0, now - tonumber(ARGV[5]))
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 'quiet' end
redis.call('ZADD', KEYS[2], now, ARGV[1] .. ':' .. now)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 'mail'
"""
)


@fail_closed
def note_login_device(user_id: uuid.UUID, fingerprint: str, *, known: bool) -> DeviceNotice:
    settings = get_settings()
    tag = _tag(user_id)
    outcome = _NEW_DEVICE(
        [key("device-seen", tag), key("device-notices", tag)],
        [
            _digest(fingerprint),
            _now_ms(),
            settings.new_device_dedupe_days * 86_400_000,
            settings.new_device_mail_max,
            3_600_000,
            "1" if known else "0",
        ],
    )
    return DeviceNotice(outcome)
