"""Redis: live sessions and revoked token ids. Every failure to reach Redis fails closed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
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


def _key(*parts: object) -> str:
    return get_settings().redis_key_prefix + ":".join(str(part) for part in parts)


def _seconds_until(moment: datetime) -> int:
    return max(1, int((moment - datetime.now(UTC)).total_seconds()) + 1)


def _fail_closed[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RedisError as exc:
            raise DependencyUnavailable("redis") from exc

    return wrapper


@_fail_closed
def ping_redis() -> None:
    get_redis().ping()


@_fail_closed
def start_session(user_id: uuid.UUID, expires_at: datetime) -> uuid.UUID:
    session_id = uuid.uuid4()
    get_redis().set(_key("session", session_id), str(user_id), ex=_seconds_until(expires_at))
    return session_id


@_fail_closed
def end_session(session_id: uuid.UUID) -> None:
    get_redis().delete(_key("session", session_id))


@_fail_closed
def revoke_token(jti: uuid.UUID, expires_at: datetime) -> None:
    get_redis().set(_key("revoked", jti), "1", ex=_seconds_until(expires_at))


@_fail_closed
def is_token_live(jti: uuid.UUID, session_id: uuid.UUID) -> bool:
    """A token is live while its session exists and its own id is not revoked."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.exists(_key("session", session_id))
    pipe.exists(_key("revoked", jti))
    session_exists, revoked = pipe.execute()
    return bool(session_exists) and not revoked
