"""Lambda SnapStart runtime hooks: a snapshot holds no connection, and no environment
restored from it shares a socket or a random state with another.

`snapshot_restore_py` is part of Lambda's managed Python runtime; elsewhere (tests install
it; a bare interpreter may not have it) registration falls back to doing nothing, and the
hooks are plain functions that can be called directly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from . import aws_secrets
from .errors import DependencyUnavailable

Hook = Callable[..., Any]

try:
    from snapshot_restore_py import (  # type: ignore[import-untyped,unused-ignore]
        register_after_restore,
        register_before_snapshot,
    )
except ImportError:  # pragma: no cover - only where the runtime's module is absent

    def register_before_snapshot(func: Hook, *_args: Any, **_kwargs: Any) -> Hook:
        return func

    def register_after_restore(func: Hook, *_args: Any, **_kwargs: Any) -> Hook:
        return func


# What was connected at snapshot time, connected again after each restore.
_reopen: list[Callable[[], None]] = []


def close_connections() -> None:
    """Before the snapshot: every restored environment must open connections of its own."""
    from ..infra.db import get_engine, ping_database
    from ..infra.redis import disconnect_redis, get_redis, ping_redis

    _reopen.clear()
    if get_engine.cache_info().currsize:
        get_engine().dispose()
        _reopen.append(ping_database)
    if get_redis.cache_info().currsize:
        disconnect_redis()
        _reopen.append(ping_redis)
    aws_secrets.forget_client()


def open_connections() -> None:
    """After a restore: a fresh random state, secrets read again when next used (the
    snapshot may be days old), and the clients that init had made connect now
    rather than on the first request. A dependency that is down is no error here: the
    request that needs it answers 503."""
    random.seed()
    aws_secrets.expire_cached()
    for ping in _reopen:
        try:
            ping()
        except DependencyUnavailable:
            pass


_registered = False


def register_hooks() -> None:
    """Called at init by every function's app (once per process)."""
    global _registered
    if not _registered:
        register_before_snapshot(close_connections)
        register_after_restore(open_connections)
        _registered = True
