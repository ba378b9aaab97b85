"""One engine per process: a Lambda environment serves one request at a time."""

from __future__ import annotations

import selectors
import time
import uuid
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

import psycopg2
import psycopg2.extensions
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from ..core import aws_secrets
from ..core.config import get_settings
from ..core.errors import DependencyUnavailable

# Errors meaning "the database is not there", as opposed to bugs or constraint violations.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
# Not one of the messages SQLAlchemy takes for a dropped connection, on purpose: a ping that
# hits the deadline then fails the request at once instead of also waiting for a reconnect to
# the same unresponsive host. The next request reconnects (the socket is closed by then).
DEADLINE_MESSAGE = "no answer from the database within the client deadline"


class DeadlineConnection(psycopg2.extensions.connection):
    """The engine's connections: each round trip waits at most db_timeout_s."""


def _wait(connection: Any) -> None:
    """psycopg2's wait callback: libpq works non-blocking, and this waits for it.

    For the engine's connections (DeadlineConnection) at most db_timeout_s per round trip;
    other connections of the process (migrations, tools) wait as long as libpq would.

    libpq alone waits for a frozen host (no RST, no FIN) until the kernel gives up, minutes
    later; the server's statement_timeout cannot fire when no packet reaches it. The socket
    is given up on the deadline rather than cancelled: a cancel request opens a new connection
    to the same unresponsive host. The server's statement_timeout ends the query there.
    """
    limit = get_settings().db_timeout_s if isinstance(connection, DeadlineConnection) else None
    deadline = None if limit is None else time.monotonic() + limit
    with selectors.DefaultSelector() as selector:
        while True:
            state = connection.poll()
            if state == psycopg2.extensions.POLL_OK:
                return
            events = (
                selectors.EVENT_READ
                if state == psycopg2.extensions.POLL_READ
                else selectors.EVENT_WRITE
            )
            selector.register(connection.fileno(), events)
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = selector.select(timeout)
            selector.unregister(connection.fileno())
            if not ready:
                # psycopg2 marks the connection broken and closes it without another wait.
                raise psycopg2.OperationalError(DEADLINE_MESSAGE)


psycopg2.extensions.set_wait_callback(_wait)


def _no_reconnect_after_deadline(context: ExceptionContext) -> None:
    """A ping that hit the deadline fails the checkout instead of reconnecting at once.

    SQLAlchemy would take the broken connection for a dropped one and reconnect to the same
    host that just did not answer, doubling the wait. The pool still invalidates the
    connection, so the next request connects afresh.
    """
    if context.is_pre_ping and DEADLINE_MESSAGE in str(context.original_exception):
        context.is_disconnect = False


def database_url() -> URL:
    """The settings' URL; with RDS Proxy configured, its endpoint instead of the host."""
    settings = get_settings()
    url = make_url(settings.database_url)
    return (
        url.set(host=settings.database_proxy_endpoint) if settings.database_proxy_endpoint else url
    )


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    engine = create_engine(
        database_url(),
        pool_size=1,
        max_overflow=0,
        pool_timeout=settings.db_timeout_s,
        pool_pre_ping=True,
        # Error messages and logs never carry a statement's parameters (emails, hashes).
        hide_parameters=True,
        connect_args={
            "connection_factory": DeadlineConnection,
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
        },
    )
    event.listen(engine, "handle_error", _no_reconnect_after_deadline)
    if settings.database_url_secret_arn:
        event.listen(engine, "do_connect", _connect_refetching_a_rotated_password)
    return engine


# Credentials of a rotated secret, applied to every later connection of this process.
_rotated: dict[str, Any] = {}


def _connect_refetching_a_rotated_password(
    dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """Connect; when Postgres rejects the password, fetch the secret once more and retry.

    Secrets Manager rotation changes the password under running functions: the cached
    value goes stale and only a new fetch (not a redeploy) brings the new one.
    """
    cparams.update(_rotated)
    try:
        return dialect.connect(*cargs, **cparams)
    except dialect.loaded_dbapi.OperationalError as exc:
        if "password authentication failed" not in str(exc):
            raise
        arn = get_settings().database_url_secret_arn
        try:
            changed = aws_secrets.refetch(arn)
        except aws_secrets.SecretUnavailable:
            raise exc from None
        if not changed:
            raise
    get_settings.cache_clear()
    fresh = database_url()
    _rotated.update(user=fresh.username, password=fresh.password, host=fresh.host)
    _rotated.update({"port": fresh.port} if fresh.port else {})
    _rotated.update({"dbname": fresh.database} if fresh.database else {})
    cparams.update(_rotated)
    return dialect.connect(*cargs, **cparams)


async def get_db() -> AsyncIterator[Session]:
    """Request-scoped session; a lost database surfaces as DependencyUnavailable.

    async although the session blocks: a Lambda environment serves one request at a time,
    so blocking the event loop costs nothing, while a sync dependency would cost a thread
    hop (FastAPI runs those in a worker thread) on every request.
    """
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except UNAVAILABLE_ERRORS as exc:
            raise DependencyUnavailable("database") from exc


def ping_database() -> None:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except UNAVAILABLE_ERRORS as exc:
        raise DependencyUnavailable("database") from exc


# Row-level security reads the caller from this transaction-local setting (see the
# migrations' policies); unset, tenant tables show nothing.
USER_SETTING = "mdc.user_id"
_SET_USER = text("SELECT set_config('mdc.user_id', :user_id, true)")


def act_as(session: Session, user_id: uuid.UUID) -> None:
    """Run every transaction of `session` as `user_id` for row-level security.

    The setting is local to a transaction (set_config(..., true)), so it ends with it and a
    pooled connection never carries it into another request; it is set again at each begin,
    so a commit in the middle of a request does not drop it.
    """
    value = str(user_id)

    def _set(_session: Session, _transaction: Any, connection: Connection) -> None:
        connection.execute(_SET_USER, {"user_id": value})

    if session.info.get(USER_SETTING) == value:
        return
    if USER_SETTING in session.info:
        raise RuntimeError("a session acts for one user only")
    session.info[USER_SETTING] = value
    event.listen(session, "after_begin", _set)
    if session.in_transaction():
        session.execute(_SET_USER, {"user_id": value})
