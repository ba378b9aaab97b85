"""The Redis client of the process, key names, and Lua scripts sent by digest.

Unreachable Redis fails closed: every caller wraps its commands in `fail_closed`, which turns a
Redis error into DependencyUnavailable (a 503), never into an answer as if nothing were stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache, wraps
from typing import Any

from redis import Redis, RedisCluster
from redis.exceptions import NoScriptError, RedisError

from ..core.config import get_settings
from ..core.errors import DependencyUnavailable

RedisClient = Redis | RedisCluster


@lru_cache
def get_redis() -> RedisClient:
    settings = get_settings()
    options: dict[str, Any] = {
        "socket_timeout": settings.redis_timeout_s,
        "socket_connect_timeout": settings.redis_timeout_s,
        "decode_responses": True,
    }
    if settings.redis_cluster:
        return RedisCluster.from_url(settings.redis_url, **options)
    return Redis.from_url(settings.redis_url, health_check_interval=30, **options)


def disconnect_redis() -> None:
    """Close the client's connections; the next command opens new ones."""
    if not get_redis.cache_info().currsize:
        return
    client = get_redis()
    if isinstance(client, RedisCluster):
        for node in client.get_nodes():  # type: ignore[no-untyped-call]
            if node.redis_connection is not None:
                node.redis_connection.connection_pool.disconnect()
    else:
        client.connection_pool.disconnect()


def key(*parts: object) -> str:
    return get_settings().redis_key_prefix + ":".join(str(part) for part in parts)


def fail_closed[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RedisError as exc:
            raise DependencyUnavailable("redis") from exc

    return wrapper


@fail_closed
def ping_redis() -> None:
    get_redis().ping()


class Script:
    """A Lua script run by its SHA-1 (EVALSHA): the source travels only when the server does
    not know it yet (after a restart or failover), and EVAL then caches it there again.

    Every key of one call must share a hash slot (a `{tag}` in each name), as Redis Cluster
    requires."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    def __call__(self, keys: Sequence[str], args: Sequence[str | int | float] = ()) -> Any:
        client = get_redis()
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            return client.eval(self.source, len(keys), *keys, *args)
