"""Sessions in Redis: refresh rotation, revocations and device tokens. Unreachable Redis fails
closed.

Every key of one user carries the hash tag {user_id}, and every script touches the keys of
one user only: each runs in one hash slot, so the code runs unchanged on Redis Cluster
(ElastiCache Serverless is always one).

Keys (under settings.redis_key_prefix, "mdc:" by default):
  session:{uid}:<sid>   hash refresh_jti, previous_jti, rotated_at, cv, created_at (ms),
                        last_used_at (ms, login or refresh), ip, ua (of the last use),
                        device (digest of the device token the login got)
  sessions:{uid}        sorted set of the user's session ids by login time (ms)
  user:{uid}            hash cv: the credentials version every session must carry
  revoked:{uid}:<jti>   "1" while a logged-out access token would still be valid
  devices:{uid}         hash sha256(device token) -> expiry (ms)
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from ..core.config import get_settings
from ..core.context import Client, current_client
from ..infra.redis import Script, fail_closed, get_redis, key


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


@dataclass(frozen=True)
class Refresh:
    """What a refresh may hand out: the session's current refresh jti and when it ends."""

    outcome: Rotation
    refresh_jti: uuid.UUID | None = None
    ends_at: datetime | None = None  # login time + SESSION_MAX_AGE_DAYS


# KEYS: user, sessions, session. ARGV: sid, refresh_jti, cv, now, ttl_ms, max_sessions,
# session key prefix, max_age_ms. A session whose credentials are already outdated is never
# created: this is what a login racing a password change runs into. Returns 1 or 0.
# ARGV 9 and 10, the client's ip and user agent, are the session's metadata.
_CREATE_SESSION = Script(
    """
local cv = tonumber(ARGV[3])
if cv < tonumber(redis.call('HGET', KEYS[1], 'cv') or '0') then return 0 end
redis.call('HSET', KEYS[3], 'refresh_jti', ARGV[2], 'cv', ARGV[3], 'created_at', ARGV[4])
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

# KEYS: session, sessions. ARGV: presented jti, new jti, now, grace_ms, sid, max_age_ms,
# refresh_life_ms, the user's credentials version. Of N concurrent refreshes with one token
# exactly one rotates; the others, within the grace period, get the same child.
# ARGV 9 and 10, the client's ip and user agent, become the session's last use.
# Returns {outcome, current refresh jti, created_at}.
_ROTATE = Script(
    """
local s = redis.call('HMGET', KEYS[1], 'refresh_jti', 'previous_jti', 'rotated_at', 'cv',
                      'created_at')
local current, previous = s[1], s[2]
local rotated_at, cv, created = tonumber(s[3] or '0'), tonumber(s[4] or '0'), tonumber(s[5])
local now = tonumber(ARGV[3])
local function finish(outcome)
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[5])
  return {outcome}
end
if not current or not created then return {'gone'} end
if cv < tonumber(ARGV[8]) or now - created >= tonumber(ARGV[6]) then return finish('gone') end
if current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'refresh_jti', ARGV[2], 'previous_jti', ARGV[1],
             'rotated_at', now)
  redis.call('HSET', KEYS[1], 'last_used_at', now, 'ip', ARGV[9], 'ua', ARGV[10])
  local left = created + tonumber(ARGV[6]) - now
  redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[7]), left))
  return {'rotated', ARGV[2], tostring(created)}
end
if previous == ARGV[1] and now - rotated_at <= tonumber(ARGV[4]) then
  return {'duplicate', current, tostring(created)}
end
return finish('reused')
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
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if tonumber(all[i + 1]) <= tonumber(ARGV[3]) then redis.call('HDEL', KEYS[1], all[i]) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local left = redis.call('HGETALL', KEYS[1])
local excess = #left / 2 - tonumber(ARGV[4])
while excess > 0 do
  local oldest, oldest_expiry = nil, nil
  for i = 1, #left, 2 do
    local expiry = tonumber(left[i + 1])
    if left[i] ~= ARGV[1] and (not oldest_expiry or expiry < oldest_expiry) then
      oldest, oldest_expiry = left[i], expiry
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
    user_id: uuid.UUID, session_id: uuid.UUID, refresh_jti: uuid.UUID, credentials_version: int
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
            str(refresh_jti),
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


@fail_closed
def rotate_refresh_token(
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    presented_jti: uuid.UUID,
    new_jti: uuid.UUID,
    credentials_version: int,
) -> Refresh:
    settings = get_settings()
    _, sessions, _ = _user_keys(user_id)
    result = _ROTATE(
        [session_key(user_id, session_id), sessions],
        [
            str(presented_jti),
            str(new_jti),
            _now_ms(),
            int(settings.refresh_reuse_grace_s * 1000),
            str(session_id),
            _max_age_ms(),
            _refresh_life_ms(),
            credentials_version,
            *_client_args(current_client()),
        ],
    )
    outcome = Rotation(result[0])
    if len(result) == 1:
        return Refresh(outcome)
    return Refresh(outcome, uuid.UUID(result[1]), _ends_at(int(result[2])))


@fail_closed
def end_session(user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    # Two single-key commands: the index entry of a deleted session is pruned at the next login.
    redis = get_redis()
    redis.delete(session_key(user_id, session_id))
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


@fail_closed
def is_device_trusted(user_id: uuid.UUID, token: str) -> bool:
    expiry = get_redis().hget(_user_keys(user_id)[2], _digest(token))
    return expiry is not None and int(expiry) > _now_ms()


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
