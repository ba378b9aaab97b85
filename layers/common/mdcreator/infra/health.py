"""Dependency checks for /healthz, run side by side within one time budget."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

from ..core.errors import DependencyUnavailable
from ..http.schemas import HealthResponse
from .db import ping_database
from .redis import ping_redis

BUDGET_S = 1.8
CHECKS: dict[str, Callable[[], None]] = {"database": ping_database, "redis": ping_redis}


def _run(check: Callable[[], None]) -> bool:
    try:
        check()
    except DependencyUnavailable:
        return False
    return True


def check_dependencies() -> HealthResponse:
    pool = ThreadPoolExecutor(max_workers=len(CHECKS))
    futures = {name: pool.submit(_run, check) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=BUDGET_S)
    pool.shutdown(wait=False)  # a hung check must not hold the answer back
    checks = {
        name: "ok" if future.done() and future.result() else "unavailable"
        for name, future in futures.items()
    }
    healthy = all(state == "ok" for state in checks.values())
    return HealthResponse(status="healthy" if healthy else "unhealthy", checks=checks)
