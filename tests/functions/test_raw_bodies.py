"""Bodies as API Gateway hands them over base64-encoded: bytes that are not UTF-8 are a 422."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.support.handlers import bearer
from tests.support.lambda_events import http_event, invoke

# function -> (method, path, needs a token)
BODY_FUNCTIONS = {
    "signup": ("POST", "/api/auth/signup", False),
    "login": ("POST", "/api/auth/login", False),
    "refresh": ("POST", "/api/auth/refresh", False),
    "me": ("PATCH", "/api/auth/me", True),
    "password": ("POST", "/api/auth/password", True),
    "delete_account": ("DELETE", "/api/auth/me", True),
}
NOT_UTF8 = {
    "invalid-start-byte": b"\x0e\xc3\x16u",
    "in-a-json-string": b'{"email": "a\xff@example.com", "password": "x"}',
    "utf16-bom": b'\xff\xfe{\x00"\x00}\x00',
    "truncated-sequence": b'{"password": "\xe2\x82"}',
}


def _event(function: str, body: bytes, account: dict[str, Any] | None = None) -> dict[str, Any]:
    method, path, needs_token = BODY_FUNCTIONS[function]
    headers = bearer(account["access_token"]) if account and needs_token else {}
    event = http_event(method, path, headers={**headers, "content-type": "application/json"})
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    event["headers"]["content-length"] = str(len(body))
    return event


@pytest.mark.parametrize("body", NOT_UTF8.values(), ids=NOT_UTF8.keys())
@pytest.mark.parametrize("function", BODY_FUNCTIONS)
def test_body_that_is_not_utf8_is_422_json_invalid(
    account: dict[str, Any], function: str, body: bytes
) -> None:
    answer = invoke(function, _event(function, body, account))

    assert answer.status == 422, answer.body
    assert answer.body["detail"][0]["type"] == "json_invalid"


def test_utf8_body_base64_encoded_is_read_as_usual(email: str) -> None:
    body = f'{{"email": "{email}", "password": "correct-horse-battery"}}'.encode()

    assert invoke("signup", _event("signup", body)).status == 201
    assert invoke("login", _event("login", body)).status == 200


@pytest.mark.parametrize("digits", [4301, 10_000])
def test_a_content_length_of_thousands_of_digits_is_413_not_500(digits: int) -> None:
    # More digits than Python's int() converts (4300): the declared size is too large anyway.
    event = _event("login", b'{"email": "a@example.com", "password": "x"}')
    event["headers"]["content-length"] = "9" * digits
    answer = invoke("login", event)
    assert answer.status == 413
    assert answer.body == {"detail": "Request body too large"}
