import importlib
import io
import json
import logging
from collections.abc import Iterator

import pytest

from mdcreator.core.logs import JsonFormatter
from tests.support.lambda_events import http_event, invoke, load_function


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("mdcreator")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_each_request_logs_one_json_line_with_its_facts(log_lines: io.StringIO) -> None:
    event = http_event("GET", "/api/auth/me", headers={"authorization": "Bearer secret-token-xyz"})
    invoke("me", event)
    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    access = [entry for entry in entries if entry["message"] == "request"]
    assert len(access) == 1
    entry = access[0]
    assert entry["level"] == "INFO"
    assert (entry["method"], entry["route"], entry["status"]) == ("GET", "/api/auth/me", 401)
    assert isinstance(entry["cold_start"], bool)
    assert entry["request_id"]
    assert entry["duration_ms"] >= 0
    assert "secret-token-xyz" not in log_lines.getvalue()


def test_only_the_first_request_of_a_process_is_cold(log_lines: io.StringIO) -> None:
    # A new execution environment imports the function anew; then two requests arrive.
    importlib.reload(load_function("root"))
    for _ in range(2):
        invoke("root", http_event("GET", "/"))
    colds = [json.loads(line)["cold_start"] for line in log_lines.getvalue().splitlines()]
    assert colds == [True, False]
