"""Security events: recorded by the use cases, read by their owner, append-only, purged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.functions.test_password_and_delete import change_password, delete_account
from tests.support.handlers import PASSWORD, bearer, client_ip, login, signup
from tests.support.lambda_events import Answer, http_event, invoke, load_function

AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def history(access_token: str, query: str = "") -> Answer:
    event = http_event("GET", "/api/auth/security-events", headers=bearer(access_token))
    event["rawQueryString"] = query
    return invoke("security_events", event)


def kinds(access_token: str) -> list[str]:
    answer = history(access_token, "limit=100")
    assert answer.status == 200, answer
    return [item["kind"] for item in answer.body["items"]]


def test_logins_are_recorded_with_time_ip_user_agent_and_session(
    account: dict[str, Any],
) -> None:
    email = account["user"]["email"]
    ip = client_ip()
    body = {"email": email, "password": "wrong-password-1"}
    failed = http_event(
        "POST", "/api/auth/login", body=body, source_ip=ip, headers={"user-agent": AGENT}
    )
    assert invoke("login", failed).status == 401
    answer = history(account["access_token"])
    assert answer.status == 200, answer
    latest, first = answer.body["items"][0], answer.body["items"][-1]
    assert (latest["kind"], latest["ip"], latest["user_agent"]) == ("login_failed", ip, AGENT)
    assert first["kind"] == "login_succeeded" and first["session_id"]
    moment = datetime.fromisoformat(latest["occurred_at"])
    assert moment.tzinfo is not None
    assert abs(datetime.now(UTC) - moment) < timedelta(seconds=30)


def test_failed_logins_of_unknown_addresses_write_nothing(email: str, engine: Engine) -> None:
    assert login("nobody-" + email, "wrong-password-1").status == 401
    with engine.connect() as connection:
        count = connection.scalar(text("SELECT count(*) FROM security_events"))
        assert login("nobody-" + email, "wrong-password-1").status == 401
        assert connection.scalar(text("SELECT count(*) FROM security_events")) == count


def test_a_lockout_is_recorded(account: dict[str, Any], override_settings: Any) -> None:
    override_settings(LOGIN_MAX_FAILURES=1)
    ip = client_ip()
    email = account["user"]["email"]
    assert login(email, "wrong-password-1", ip=ip).status == 401
    assert login(email, "wrong-password-1", ip=ip).status == 429
    assert kinds(account["access_token"])[:2] == ["login_locked", "login_failed"]


def test_reuse_detection_says_a_replayed_token_was_refused_and_from_where(
    account: dict[str, Any], override_settings: Any
) -> None:
    override_settings(REFRESH_REUSE_GRACE_S=0)
    rotated = invoke(
        "refresh",
        http_event("POST", "/api/auth/refresh", body={"refresh_token": account["refresh_token"]}),
    ).body
    thief_ip = client_ip()
    replay = http_event(
        "POST",
        "/api/auth/refresh",
        body={"refresh_token": account["refresh_token"]},
        source_ip=thief_ip,
        headers={"user-agent": "python-requests/2.32"},
    )
    assert invoke("refresh", replay).status == 401
    fresh = login(account["user"]["email"]).body
    events = history(fresh["access_token"]).body["items"]
    reuse = next(event for event in events if event["kind"] == "refresh_reuse_detected")
    assert (reuse["ip"], reuse["user_agent"]) == (thief_ip, "python-requests/2.32")
    assert reuse["session_id"] is not None
    assert rotated["access_token"]


def test_password_change_logout_all_and_deletion_are_recorded(account: dict[str, Any]) -> None:
    token = account["access_token"]
    assert change_password(token, PASSWORD).status == 200
    logout_all = http_event("POST", "/api/auth/logout-all", headers=bearer(token))
    assert invoke("logout_all", logout_all).status == 200
    fresh = login(account["user"]["email"], "a-much-better-passphrase").body
    assert kinds(fresh["access_token"])[:3] == ["login_succeeded", "logout_all", "password_changed"]
    assert delete_account(fresh["access_token"], "a-much-better-passphrase").status == 204


def test_history_is_the_callers_own_newest_first_in_pages(
    account: dict[str, Any], email: str
) -> None:
    stranger = "stranger-" + email
    assert signup(stranger).status == 201
    assert login(stranger, "wrong-password-1").status == 401
    for _ in range(4):
        assert login(account["user"]["email"], "wrong-password-1", ip=client_ip()).status == 401
    seen: list[int] = []
    query = "limit=2"
    while True:
        page = history(account["access_token"], query).body
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        query = f"limit=2&cursor={page['next_cursor']}"
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)  # 4 failures, 1 login
    assert history(account["access_token"], "limit=0").status == 422
    assert history(account["access_token"], "limit=101").status == 422
    assert history(account["access_token"], "cursor=!!").status == 422
    assert history(account["access_token"], "cursor=eHl6").status == 400
    assert history(account["refresh_token"]).status == 401


def test_the_table_refuses_update_and_delete(account: dict[str, Any], engine: Engine) -> None:
    user_id = account["user"]["id"]
    statements = [
        "UPDATE security_events SET kind = 'login_succeeded' WHERE user_id = :id",
        "DELETE FROM security_events WHERE user_id = :id",
        "TRUNCATE security_events",
    ]
    for statement in statements:
        with engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement), {"id": user_id})
    # The purge's own setting cannot reach recent rows either.
    with engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(
            text("SELECT set_config('mdcreator.security_events_purge_before', :t, true)"),
            {"t": datetime.now(UTC).isoformat()},
        )
        connection.execute(text("DELETE FROM security_events WHERE user_id = :id"), {"id": user_id})
    assert len(kinds(account["access_token"])) == 1


def _insert(engine: Engine, user_id: str, kind: str, days_ago: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO security_events (user_id, kind, occurred_at) "
                "VALUES (:user_id, :kind, now() - make_interval(days => :days))"
            ),
            {"user_id": user_id, "kind": kind, "days": days_ago},
        )


def test_the_scheduled_purge_deletes_what_is_past_retention_and_keeps_the_rest(
    account: dict[str, Any], engine: Engine, override_settings: Any
) -> None:
    user_id = account["user"]["id"]
    _insert(engine, user_id, "password_reset", 400)
    _insert(engine, user_id, "password_changed", 366)
    _insert(engine, user_id, "logout_all", 300)
    before = kinds(account["access_token"])
    assert before == ["login_succeeded", "logout_all", "password_changed", "password_reset"]

    purge = load_function("purge_security_events").handler
    event = __import__("json").loads(
        (__import__("pathlib").Path("events") / "purge_security_events.json").read_text()
    )
    answer = purge(event, None)
    assert answer["deleted"] >= 2 and answer["retention_days"] == 365
    assert kinds(account["access_token"]) == ["login_succeeded", "logout_all"]
    assert purge(event, None)["deleted"] == 0

    override_settings(SECURITY_EVENT_RETENTION_DAYS=200)
    assert purge(event, None)["deleted"] >= 1
    assert kinds(account["access_token"]) == ["login_succeeded"]


def test_recording_never_fails_the_login(account: dict[str, Any], engine: Engine) -> None:
    # A broken events table (here: a check that refuses every new row) costs the history
    # its row, never the user the login.
    name = f"refuse_{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        connection.execute(
            text(f"ALTER TABLE security_events ADD CONSTRAINT {name} CHECK (id < 0) NOT VALID")
        )
    try:
        assert login(account["user"]["email"]).status == 200
        assert login(account["user"]["email"], "wrong-password-1").status == 401
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE security_events DROP CONSTRAINT {name}"))
