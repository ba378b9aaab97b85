"""HTTP API (payload 2.0) events built from the samples in events/, and handler calls."""

from __future__ import annotations

import copy
import importlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

EVENTS = Path(__file__).resolve().parents[1] / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def http_event(
    method: str,
    path: str,
    *,
    body: str | bytes | dict[str, Any] | list[Any] | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str = "203.0.113.10",
    cookies: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An event shaped like the samples, for any method, path (a query string after `?`),
    body, headers and cookies."""
    path, _, query = path.partition("?")
    event = copy.deepcopy(load_event("root"))
    event["rawQueryString"] = query
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {path}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["sourceIp"] = source_ip
    event["requestContext"]["requestId"] = str(uuid.uuid4())
    event["headers"].update({key.lower(): value for key, value in (headers or {}).items()})
    if cookies:
        # HTTP APIs hand the Cookie header over as a list of its name=value pairs.
        event["cookies"] = [f"{name}={value}" for name, value in cookies.items()]
    if body is not None:
        text = body if isinstance(body, str | bytes) else json.dumps(body)
        raw = text.encode() if isinstance(text, str) else text
        event["body"] = raw.decode("utf-8", errors="surrogateescape")
        event["headers"].setdefault("content-type", "application/json")
        event["headers"]["content-length"] = str(len(raw))
    return event


@dataclass
class LambdaContext:
    function_name: str = "test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    cookies: list[str] = field(default_factory=list)  # one Set-Cookie header each


def load_function(name: str) -> ModuleType:
    return importlib.import_module(f"functions.{name}.app")


def invoke(name: str, event: dict[str, Any]) -> Answer:
    result = load_function(name).handler(event, LambdaContext(function_name=name))
    headers = {key.lower(): value for key, value in result.get("headers", {}).items()}
    body = result.get("body") or ""
    is_json = body and headers.get("content-type", "").startswith("application/json")
    parsed = json.loads(body) if is_json else body
    return Answer(result["statusCode"], headers, parsed, result.get("cookies", []))
