"""Parallel requests in process as parallel Lambda environments: each thread its own engine
(pool of 1), released together at a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.support.handlers import in_thread


@contextmanager
def separate_environments() -> Iterator[None]:
    """With the one engine of the process the second request would wait for the first's
    connection, and nothing would run in parallel."""
    from mdcreator.infra import db

    local = threading.local()
    engines: list[Engine] = []
    build = db.get_engine.__wrapped__

    def engine_of_this_thread() -> Engine:
        if not hasattr(local, "engine"):
            local.engine = build()
            engines.append(local.engine)
        return local.engine  # type: ignore[no-any-return]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "get_engine", engine_of_this_thread)
        try:
            yield
        finally:
            for engine in engines:
                engine.dispose()


def together[R](calls: list[Callable[[], R]]) -> list[R]:
    """Run the calls in parallel threads, released at the same moment."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], R]) -> R:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(in_thread, run, call) for call in calls]
        return [future.result() for future in futures]


def calls(
    function: Callable[..., Any], *argument_lists: tuple[Any, ...]
) -> list[Callable[[], Any]]:
    return [lambda args=args: function(*args) for args in argument_lists]
