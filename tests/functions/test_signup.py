from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from tests.support.handlers import PASSWORD, signup
from tests.support.lambda_events import Answer, invoke, load_event

RESPONSE_FIELDS = {
    "id", "email", "display_name", "email_verified", "avatar_url",
    "subscription_tier", "created_at", "last_seen_at",
}  # fmt: skip


def test_signup_sample_event_creates_user() -> None:
    event = load_event("signup")
    body = json.loads(event["body"])
    answer = invoke("signup", event)
    assert answer.status in (201, 409)  # the sample's email may exist from another test
    if answer.status == 201:
        assert answer.body["email"] == body["email"]


def test_signup_returns_201_with_user_response(email: str) -> None:
    answer = signup(email, display_name="Ada")
    assert answer.status == 201
    assert set(answer.body) == RESPONSE_FIELDS
    assert answer.body["email"] == email
    assert answer.body["display_name"] == "Ada"
    assert answer.body["email_verified"] is False
    assert answer.body["subscription_tier"] == "free"
    assert "password" not in json.dumps(answer.body)


def test_signup_defaults_display_name_to_local_part(email: str) -> None:
    answer = signup(email)
    assert answer.body["display_name"] == email.split("@")[0]


def test_signup_normalises_email_case(email: str) -> None:
    answer = signup(email.upper())
    assert answer.status == 201
    assert answer.body["email"] == email


@pytest.mark.parametrize("variant", [str.upper, str.title, lambda e: "  " + e + " "])
def test_signup_duplicate_in_any_case_is_409(email: str, variant: Callable[[str], str]) -> None:
    assert signup(email).status == 201
    answer = signup(variant(email))
    assert answer.status == 409
    assert answer.body == {"detail": "Email already registered"}


def _assert_422(answer: Answer) -> None:
    assert answer.status == 422
    assert isinstance(answer.body["detail"], list)


@pytest.mark.parametrize(
    "password",
    ["short", "a" * 73, "é" * 37, "🔑" * 19, "nul\x00byte-password"],
    ids=["too-short", "73-ascii", "74-bytes-latin", "76-bytes-emoji", "nul"],
)
def test_signup_rejects_passwords_outside_8_to_72_bytes(email: str, password: str) -> None:
    _assert_422(signup(email, password=password))


def test_signup_accepts_exactly_72_bytes_of_emoji(email: str) -> None:
    assert signup(email, password="🔑" * 18).status == 201


@pytest.mark.parametrize(
    "bad_email",
    ["not-an-email", "a" * 300 + "@example.com", "nul\x00@example.com", "'; DROP TABLE users;--"],
)
def test_signup_rejects_invalid_emails(bad_email: str) -> None:
    _assert_422(signup(bad_email))


@pytest.mark.parametrize(
    "local_part",
    # Valid atext, but decoded by Python's email package in a To header: to a CR LF (the
    # header breaks: a 500 after the account was created) or to another mailbox.
    ["=?utf-8?q?a=0d=0a?=", "=?utf-8?q?attacker=40evil.example?="],
)
def test_signup_refuses_encoded_words_in_the_address(local_part: str) -> None:
    _assert_422(signup(local_part + "@example.com"))


def test_signup_rejects_nul_in_display_name(email: str) -> None:
    _assert_422(signup(email, display_name="Ada\x00Lovelace"))


def test_validation_errors_never_echo_the_password() -> None:
    answer = signup("bad", password="my-secret\x00pw")
    assert answer.status == 422
    assert "my-secret" not in json.dumps(answer.body)


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", "42", '"text"', "null", '{"email": "x@example.com"}', "{\x00}"],
)
def test_signup_rejects_non_object_bodies_with_422(body: str) -> None:
    answer = invoke("signup", _raw_event(body))
    _assert_422(answer)


def test_signup_rejects_1mb_body_with_413() -> None:
    body = json.dumps({"email": "big@example.com", "password": PASSWORD, "pad": "x" * 1_000_000})
    answer = invoke("signup", _raw_event(body))
    assert answer.status == 413
    assert answer.body == {"detail": "Request body too large"}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""]
)
def test_signup_rejects_non_json_content_types_with_415(email: str, content_type: str) -> None:
    event = _raw_event(json.dumps({"email": email, "password": PASSWORD}))
    event["headers"]["content-type"] = content_type
    answer = invoke("signup", event)
    assert answer.status == 415
    assert answer.body == {"detail": "Request body must be JSON (Content-Type: application/json)"}


def test_signup_accepts_json_with_charset(email: str) -> None:
    event = _raw_event(json.dumps({"email": email, "password": PASSWORD}))
    event["headers"]["content-type"] = "application/json; charset=utf-8"
    assert invoke("signup", event).status == 201


def test_signup_stores_a_bcrypt_hash_not_the_password(email: str) -> None:
    from mdcreator.auth.models import User
    from mdcreator.infra.db import get_engine

    signup(email)
    with get_engine().connect() as connection:
        stored = connection.scalar(select(User.password_hash).where(User.email == email))
        count = connection.scalar(select(func.count()).where(User.email == email))
    assert stored is not None and stored.startswith("$2b$04$") and PASSWORD not in stored
    assert count == 1


def _raw_event(body: str) -> dict[str, object]:
    event = load_event("signup")
    event["body"] = body
    event["headers"]["content-length"] = str(len(body.encode()))
    return event
