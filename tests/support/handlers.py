"""Handler calls in process, as API Gateway would make them: the stories of tests/functions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from tests.support.accounts import PASSWORD
from tests.support.lambda_events import Answer, http_event, invoke

__all__ = [
    "PASSWORD",
    "bearer",
    "client_ip",
    "in_thread",
    "login",
    "me",
    "refresh",
    "signup",
]


def signup(email: str, password: str = PASSWORD, ip: str = "203.0.113.10", **extra: Any) -> Answer:
    body = {"email": email, "password": password, **extra}
    return invoke("signup", http_event("POST", "/api/auth/signup", body=body, source_ip=ip))


def login(email: str, password: str = PASSWORD, ip: str = "203.0.113.10", **extra: Any) -> Answer:
    body = {"email": email, "password": password, **extra}
    return invoke("login", http_event("POST", "/api/auth/login", body=body, source_ip=ip))


def refresh(refresh_token: str) -> Answer:
    body = {"refresh_token": refresh_token}
    return invoke("refresh", http_event("POST", "/api/auth/refresh", body=body))


def me(access_token: str) -> Answer:
    return invoke("me", http_event("GET", "/api/auth/me", headers=bearer(access_token)))


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def client_ip() -> str:
    """A fresh documentation-range /64, so per-IP limits of one test touch no other."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"


def in_thread[R](call: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Run a handler call from a worker thread: Mangum wants an event loop in the calling
    thread, as Lambda's main thread has."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return call(*args, **kwargs)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
