"""Metrics (CloudWatch EMF lines on stdout) and correlated log lines, through the real handlers."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from mdcreator.core.logs import JsonFormatter
from tests.support.clients import reset_clients
from tests.support.handlers import PASSWORD, bearer, client_ip, signup
from tests.support.lambda_events import Answer, http_event, invoke
from tests.support.paths import ROOT

WRONG = "wrong-password-123"


class Emitted:
    """The EMF documents a handler call wrote to stdout, and the gateway request id it had."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def call(self, name: str, method: str, path: str, **kwargs: Any) -> tuple[Answer, list[Any]]:
        self._capsys.readouterr()
        event = http_event(method, path, **kwargs)
        answer = invoke(name, event)
        lines = self._capsys.readouterr().out.splitlines()
        documents = [json.loads(line) for line in lines if line.startswith('{"_aws"')]
        for document in documents:
            assert document["request_id"] == event["requestContext"]["requestId"]
        return answer, documents


@pytest.fixture
def emitted(capsys: pytest.CaptureFixture[str]) -> Emitted:
    return Emitted(capsys)


def _login(emitted: Emitted, email: str, password: str, ip: str) -> tuple[Answer, list[Any]]:
    body = {"email": email, "password": password}
    return emitted.call("login", "POST", "/api/auth/login", body=body, source_ip=ip)


def _only_metric(documents: list[Any], service: str, name: str, value: int = 1) -> None:
    assert len(documents) == 1, documents
    document = documents[0]
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "MDCreator"
    assert directive["Dimensions"] == [["service"]]
    assert directive["Metrics"] == [{"Name": name, "Unit": "Count"}]
    assert document["service"] == service
    assert document[name] == value
    assert isinstance(document["_aws"]["Timestamp"], int)


def test_a_failed_login_writes_login_failed(emitted: Emitted, email: str) -> None:
    signup(email)
    answer, documents = _login(emitted, email, WRONG, client_ip())
    assert answer.status == 401
    _only_metric(documents, "login", "LoginFailed")


def test_a_login_refused_by_the_lock_writes_lockout(emitted: Emitted, email: str) -> None:
    signup(email)
    ip = client_ip()
    for _ in range(5):
        assert _login(emitted, email, WRONG, ip)[0].status == 401
    answer, documents = _login(emitted, email, PASSWORD, ip)
    assert answer.status == 429
    _only_metric(documents, "login", "Lockout")


def test_a_good_login_writes_login_succeeded(emitted: Emitted, email: str) -> None:
    signup(email)
    answer, documents = _login(emitted, email, PASSWORD, client_ip())
    assert answer.status == 200
    _only_metric(documents, "login", "LoginSucceeded")


def test_a_reused_refresh_token_writes_refresh_reuse_detected(
    emitted: Emitted, account: dict[str, Any], override_settings: Any
) -> None:
    override_settings(REFRESH_REUSE_GRACE_S=0)
    body = {"refresh_token": account["refresh_token"]}
    rotated, documents = emitted.call("refresh", "POST", "/api/auth/refresh", body=body)
    assert rotated.status == 200 and documents == []  # a request that counts nothing: no line
    reused, documents = emitted.call("refresh", "POST", "/api/auth/refresh", body=body)
    assert reused.status == 401
    _only_metric(documents, "refresh", "RefreshReuseDetected")


def test_a_signup_counts_its_verification_mail(emitted: Emitted, email: str) -> None:
    body = {"email": email, "password": PASSWORD}
    answer, documents = emitted.call("signup", "POST", "/api/auth/signup", body=body)
    assert answer.status == 201
    _only_metric(documents, "signup", "MailSent")


def test_every_503_of_the_error_map_writes_dependency_unavailable(
    emitted: Emitted, email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    reset_clients()
    try:
        answer, documents = _login(emitted, email, PASSWORD, client_ip())
    finally:
        monkeypatch.undo()
        reset_clients()
    assert answer.status == 503
    _only_metric(documents, "login", "DependencyUnavailable")


# --- Correlation ---------------------------------------------------------------------------


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every line of every logger, as the root logger's JSON handler writes it; SQLAlchemy's
    statements too (INFO), so one request logs several lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root, engine = logging.getLogger(), logging.getLogger("sqlalchemy.engine.Engine")
    root.addHandler(handler)
    engine.setLevel(logging.INFO)
    yield stream
    engine.setLevel(logging.NOTSET)
    root.removeHandler(handler)


def test_an_authenticated_requests_lines_carry_its_ids_and_never_its_token(
    account: dict[str, Any], log_lines: io.StringIO
) -> None:
    token = account["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    event = http_event("GET", "/api/auth/me", headers=bearer(token))
    assert invoke("me", event).status == 200
    text = log_lines.getvalue()
    entries = [json.loads(line) for line in text.splitlines()]
    # The access line and SQLAlchemy's statements, at least.
    assert {entry["logger"] for entry in entries} >= {"mdcreator", "sqlalchemy.engine.Engine"}
    for entry in entries:
        assert entry["request_id"] == event["requestContext"]["requestId"]
        assert entry["lambda_request_id"]
        assert entry["service"] == "me"
        assert (entry["user_id"], entry["session_id"]) == (claims["sub"], claims["sid"])
    assert token not in text and account["refresh_token"] not in text
    assert token.split(".")[2] not in text  # not even the signature alone


def test_a_refused_token_puts_no_user_on_the_line(log_lines: io.StringIO) -> None:
    forged = jwt.encode({"sub": "someone", "sid": "s"}, "not-our-key-" * 4, algorithm="HS256")
    assert invoke("me", http_event("GET", "/api/auth/me", headers=bearer(forged))).status == 401
    (entry,) = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    assert "user_id" not in entry and "session_id" not in entry


_ONE_PROCESS = """
import logging, sys
from tools.events import http_event, LambdaContext
import app
logging.getLogger("botocore.credentials").warning("found credentials somewhere")
app.handler(http_event("GET", "/"), LambdaContext(function_name="root"))
"""


def test_other_libraries_log_in_the_same_shape_and_no_line_is_written_twice(
    app_env: dict[str, str],
) -> None:
    # A process of its own: the root logger as a function has it, without pytest's handlers.
    env = {
        **os.environ,
        **app_env,
        "PYTHONPATH": f"{ROOT / 'functions' / 'root'}:{ROOT / 'layers' / 'common'}:{ROOT}",
    }
    result = subprocess.run(
        [sys.executable, "-c", _ONE_PROCESS], env=env, capture_output=True, text=True, check=True
    )
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(entry["logger"], entry["message"]) for entry in entries] == [
        ("botocore.credentials", "found credentials somewhere"),
        ("mdcreator", "request"),
    ]
    assert entries[1]["service"] == "root" and entries[1]["request_id"]
