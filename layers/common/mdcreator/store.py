"""Redis: sessions, refresh rotation and revoked token ids. Unreachable Redis fails closed.

Keys (all under settings.redis_key_prefix, "mdc:" by default):
  session:{sid}        hash {user_id, refresh_jti, previous_jti, rotated_at}; TTL refresh life
  user-sessions:{uid}  set of the user's session ids; TTL refresh life, renewed on use
  revoked:{jti}        "1"; TTL = the revoked access token's remaining life
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache, wraps

from redis import Redis
from redis.exceptions import RedisError

from .config import get_settings
from .errors import DependencyUnavailable


@lru_cache
def get_redis() -> Redis:
    settings = get_settings()
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=settings.redis_timeout_s,
        health_check_interval=30,
        decode_responses=True,
    )


def key(*parts: object) -> str:
    return get_settings().redis_key_prefix + ":".join(str(part) for part in parts)


def seconds_until(moment: datetime) -> int:
    return max(1, int((moment - datetime.now(UTC)).total_seconds()) + 1)


def fail_closed[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RedisError as exc:
            raise DependencyUnavailable("redis") from exc

    return wrapper


class Rotation(StrEnum):
    ROTATED = "rotated"
    DUPLICATE = "duplicate"  # the token just rotated, presented again within the grace period
    REUSED = "reused"  # an older rotated token: treated as theft, the session is gone
    GONE = "gone"  # the session was logged out or expired


# Atomic: of N concurrent refreshes with one token exactly one sees it as current.
_ROTATE = """
local current = redis.call('HGET', KEYS[1], 'refresh_jti')
if not current then return 'gone' end
if current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'refresh_jti', ARGV[2], 'previous_jti', ARGV[1],
             'rotated_at', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return 'rotated'
end
local previous = redis.call('HGET', KEYS[1], 'previous_jti')
local rotated_at = tonumber(redis.call('HGET', KEYS[1], 'rotated_at') or '0')
if previous == ARGV[1] and tonumber(ARGV[4]) - rotated_at <= tonumber(ARGV[5]) then
  return 'duplicate'
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[6])
return 'reused'
"""


@fail_closed
def ping_redis() -> None:
    get_redis().ping()


def _refresh_ttl() -> int:
    return get_settings().refresh_token_expire_days * 86_400


@fail_closed
def create_session(user_id: uuid.UUID, session_id: uuid.UUID, refresh_jti: uuid.UUID) -> None:
    ttl = _refresh_ttl()
    pipe = get_redis().pipeline(transaction=True)
    pipe.hset(
        key("session", session_id),
        mapping={"user_id": str(user_id), "refresh_jti": str(refresh_jti)},
    )
    pipe.expire(key("session", session_id), ttl)
    pipe.sadd(key("user-sessions", user_id), str(session_id))
    pipe.expire(key("user-sessions", user_id), ttl)
    pipe.execute()


@fail_closed
def rotate_refresh_token(
    user_id: uuid.UUID, session_id: uuid.UUID, presented_jti: uuid.UUID, new_jti: uuid.UUID
) -> Rotation:
    settings = get_settings()
    outcome = get_redis().eval(
        _ROTATE,
        2,
        key("session", session_id),
        key("user-sessions", user_id),
        str(presented_jti),
        str(new_jti),
        _refresh_ttl(),
        int(time.time() * 1000),
        int(settings.refresh_reuse_grace_s * 1000),
        str(session_id),
    )
    return Rotation(outcome)


@fail_closed
def end_session(user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    pipe = get_redis().pipeline(transaction=True)
    pipe.delete(key("session", session_id))
    pipe.srem(key("user-sessions", user_id), str(session_id))
    pipe.execute()


@fail_closed
def end_all_sessions(user_id: uuid.UUID, keep: uuid.UUID | None = None) -> int:
    """End every session of the user but `keep`; returns how many ended."""
    redis = get_redis()
    session_ids = [sid for sid in redis.smembers(key("user-sessions", user_id)) if sid != str(keep)]
    if not session_ids:
        return 0
    pipe = redis.pipeline(transaction=True)
    pipe.delete(*(key("session", sid) for sid in session_ids))
    pipe.srem(key("user-sessions", user_id), *session_ids)
    pipe.execute()
    return len(session_ids)


@fail_closed
def revoke_token(jti: uuid.UUID, expires_at: datetime) -> None:
    get_redis().set(key("revoked", jti), "1", ex=seconds_until(expires_at))


@fail_closed
def is_token_live(jti: uuid.UUID, session_id: uuid.UUID) -> bool:
    """A token is live while its session exists and its own id is not revoked."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.exists(key("session", session_id))
    pipe.exists(key("revoked", jti))
    session_exists, revoked = pipe.execute()
    return bool(session_exists) and not revoked
