"""Drop the per-process settings, engine and Redis client, as a fresh Lambda process would."""

from __future__ import annotations


def reset_clients() -> None:
    from mdcreator.auth.keys import forget_keys
    from mdcreator.core.config import get_settings
    from mdcreator.infra import db
    from mdcreator.infra.db import get_engine
    from mdcreator.infra.mail import get_backend
    from mdcreator.infra.redis import get_redis

    if get_engine.cache_info().currsize:
        get_engine().dispose()
    if get_redis.cache_info().currsize:
        get_redis().close()
    for cached in (get_settings, get_engine, get_redis, get_backend):
        cached.cache_clear()
    forget_keys()
    db._rotated.clear()  # credentials a rotated secret gave this process
