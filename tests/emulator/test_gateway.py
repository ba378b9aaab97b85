"""The HTTP API gateway over the fixture template: what deployed HTTP APIs do, where SAM differs.

Request bodies: HTTP APIs hand text bodies (text/*, application/json, application/xml,
application/javascript) to the function as a string and every other body base64-encoded with
`isBase64Encoded: true`; bytes that are not UTF-8 can only arrive base64-encoded. SAM's local
gateway decodes every body as UTF-8 and answers 502 when that fails.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import time
from typing import Any

import httpx
import pytest

from tests.support.emulator import EmulatorProcess

NOT_UTF8 = b'{"x": "\xff\xfe\xc3\x28"}'
SPA = "http://localhost:5173"
EVIL = "https://evil.example"


def _event(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    event: dict[str, Any] = response.json()["event"]
    return event


def _posted(api: httpx.Client, body: bytes, content_type: str | None) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return _event(api.post("/items/1", content=body, headers=headers))


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain; charset=utf-8", "application/octet-stream"]
)
def test_body_that_is_not_utf8_reaches_the_function_base64_encoded(
    api: httpx.Client, content_type: str
) -> None:
    event = _posted(api, NOT_UTF8, content_type)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == NOT_UTF8


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "text/plain", "application/xml"],
)
def test_text_bodies_arrive_as_text(api: httpx.Client, content_type: str) -> None:
    body = '{"name": "Zoë ✓"}'
    event = _posted(api, body.encode(), content_type)

    assert event["isBase64Encoded"] is False
    assert event["body"] == body


@pytest.mark.parametrize(
    "content_type",
    ["application/octet-stream", "image/png", "application/x-www-form-urlencoded", None],
)
def test_other_bodies_arrive_base64_encoded_even_when_they_are_utf8(
    api: httpx.Client, content_type: str | None
) -> None:
    event = _posted(api, b"a=1&b=2", content_type)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"a=1&b=2"


def test_request_without_body_has_no_body_field(api: httpx.Client) -> None:
    event = _event(api.get("/echo"))

    assert "body" not in event
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nowhere"), ("POST", "/echo"), ("DELETE", "/items/1"), ("HEAD", "/echo")],
)
def test_unmatched_route_is_404_not_found(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path)

    assert response.status_code == 404
    if method != "HEAD":
        assert response.json() == {"message": "Not Found"}
    assert response.headers["content-type"] == "application/json"


def test_exact_route_wins_over_greedy_one(api: httpx.Client) -> None:
    exact = api.get("/files/exact")
    greedy = _event(api.get("/files/a/b%20c"))

    assert (exact.status_code, exact.text) == (201, "made")
    assert greedy["routeKey"] == "ANY /files/{proxy+}"
    assert greedy["pathParameters"] == {"proxy": "a/b c"}


def test_event_headers_are_lowercase_with_repeats_joined(api: httpx.Client) -> None:
    raw = [("X-Thing", "one"), ("x-thing", "two"), ("Cookie", "a=1; b=2"), ("Cookie", "c=3")]
    event = _event(api.get("/echo", params=[("q", "1"), ("q", "2")], headers=raw))

    assert event["headers"]["x-thing"] == "one,two"
    assert all(name == name.lower() for name in event["headers"])
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert event["queryStringParameters"] == {"q": "1,2"}
    assert event["rawQueryString"] == "q=1&q=2"
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"


def test_each_request_gets_its_own_id_and_time(api: httpx.Client) -> None:
    first = _event(api.get("/echo"))["requestContext"]
    time.sleep(1.1)
    second = _event(api.get("/echo"))["requestContext"]

    assert first["requestId"] != second["requestId"]
    assert second["timeEpoch"] - first["timeEpoch"] >= 1000
    assert first["time"] != second["time"]


def test_cookies_become_set_cookie_headers(api: httpx.Client) -> None:
    response = api.get("/shape", params={"as": "cookies"})

    assert (response.status_code, response.text) == (201, "made")
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; HttpOnly"]
    assert response.headers["x-one"] == "1"
    assert response.headers["content-type"] == "text/plain"


def test_base64_response_body_is_decoded(api: httpx.Client) -> None:
    response = api.get("/shape", params={"as": "binary"})

    assert response.content == bytes(range(256))


@pytest.mark.parametrize(
    ("which", "body"),
    [("no-status", {"message": "plain object"}), ("string", "just a string")],
)
def test_response_without_status_code_is_a_200_json_body(
    api: httpx.Client, which: str, body: object
) -> None:
    response = api.get("/shape", params={"as": which})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert (response.json() if isinstance(body, dict) else response.text) == body


def test_malformed_response_is_a_5xx_json_answer(api: httpx.Client) -> None:
    response = api.get("/shape", params={"as": "bad-status"})

    assert response.status_code in (500, 502)
    assert set(response.json()) == {"message"}


def test_header_with_a_line_break_never_splits_the_response(api: httpx.Client) -> None:
    response = api.get("/shape", params={"as": "header-injection"})

    assert "set-cookie" not in response.headers
    assert "s=1" not in str(response.headers)


def test_framing_headers_of_the_function_are_the_servers_own(emulator: EmulatorProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=20)
    try:
        connection.request("GET", "/shape?as=framing")
        response = connection.getresponse()
        body = response.read()
        lengths = [v for k, v in response.getheaders() if k.lower() == "content-length"]
        assert (body, lengths, response.will_close) == (b"abc", ["3"], False)
    finally:
        connection.close()


def test_preflight_from_an_allowed_origin_is_answered_by_the_gateway(api: httpx.Client) -> None:
    headers = {"Origin": SPA, "Access-Control-Request-Method": "POST"}
    response = api.options("/items/1", headers=headers)

    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == SPA
    assert response.headers["access-control-max-age"] == "600"
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize("path", ["/items/1", "/echo", "/nowhere"])
def test_preflight_from_a_foreign_origin_gets_no_cors_headers(api: httpx.Client, path: str) -> None:
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    response = api.options(path, headers=headers)

    assert response.status_code < 500
    assert not [name for name in response.headers if name.startswith("access-control-")]


def test_real_request_from_a_foreign_origin_gets_no_cors_headers(api: httpx.Client) -> None:
    response = api.get("/echo", headers={"Origin": EVIL})

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_headers_come_from_the_template_not_the_function(api: httpx.Client) -> None:
    foreign = api.get("/shape", params={"as": "own-cors"}, headers={"Origin": EVIL})
    allowed = api.get("/shape", params={"as": "own-cors"}, headers={"Origin": SPA})

    assert "access-control-allow-origin" not in foreign.headers
    assert allowed.headers["access-control-allow-origin"] == SPA


def test_connections_are_kept_alive(emulator: EmulatorProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=20)
    try:
        answers = []
        for path in ("/echo", "/nowhere", "/echo"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            answers.append((response.status, response.will_close, connection.sock))
        statuses = [status for status, _, _ in answers]
        assert statuses == [200, 404, 200]
        assert not [closing for _, closing, _ in answers if closing]
        assert answers[0][2] is not None and all(sock is answers[0][2] for *_, sock in answers)
    finally:
        connection.close()


def test_garbage_request_line_is_a_400_and_the_server_lives_on(
    api: httpx.Client, emulator: EmulatorProcess
) -> None:
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=20) as raw:
        raw.sendall(b"\x16\x03\x01 nonsense\r\n\r\n")
        reply = raw.recv(4096)

    assert reply.startswith(b"HTTP/1.1 400")
    assert api.get("/echo").status_code == 200


def test_chunked_request_body_is_read_whole(api: httpx.Client) -> None:
    chunks = iter([b'{"a"', b": 1, ", b'"b": 2}'])
    event = _event(api.post("/items/1", content=chunks, headers={"Content-Type": "text/plain"}))

    assert event["body"] == '{"a": 1, "b": 2}'


def test_body_over_the_http_api_payload_limit_is_413(api: httpx.Client) -> None:
    response = api.post("/items/1", content=b"x" * (11 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}
    assert api.get("/echo").status_code == 200


def test_expect_100_continue_gets_its_interim_answer(emulator: EmulatorProcess) -> None:
    body = b'{"x": 1}'
    head = (
        "POST /items/1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=20) as raw:
        raw.sendall(head.encode())
        assert raw.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        raw.sendall(body)
        reply = http.client.HTTPResponse(raw)
        reply.begin()
        assert reply.status == 200
        assert json.loads(reply.read())["event"]["body"] == '{"x": 1}'
