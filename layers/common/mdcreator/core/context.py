"""Who is asking: the client's address and user agent of the request being served.

The HTTP layer sets it once per request (http.middleware.RequestContext); domain code that
records where something happened (security events, session metadata) reads it without every
use case passing it along.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

# Longer user agents are cut: the rest tells nothing a person reads, and rows stay small.
USER_AGENT_MAX = 512


@dataclass(frozen=True)
class Client:
    ip: str | None = None
    user_agent: str | None = None


_NOBODY = Client()
_current: ContextVar[Client | None] = ContextVar("client", default=None)


def current_client() -> Client:
    """The client of the request being served; outside a request (a scheduled run), nobody."""
    return _current.get() or _NOBODY


def set_client(ip: str | None, user_agent: str | None) -> None:
    agent = user_agent[:USER_AGENT_MAX] if user_agent else None
    _current.set(Client(ip=ip, user_agent=agent))
