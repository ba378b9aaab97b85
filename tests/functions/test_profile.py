from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.support.handlers import bearer, login, me
from tests.support.lambda_events import Answer, http_event, invoke


def patch_me(access_token: str, body: Any) -> Answer:
    event = http_event("PATCH", "/api/auth/me", body=body, headers=bearer(access_token))
    return invoke("me", event)


def test_patch_updates_fields_and_updated_at(account: dict[str, Any]) -> None:
    token = account["access_token"]
    before = me(token).body
    changes = {
        "display_name": "Ada Lovelace",
        "avatar_url": "https://cdn.example.com/ada.png",
        "bio": "Wrote the first program.",
        "settings": {"theme": "dark", "editor": {"font_size": 14, "vim": True}},
    }
    answer = patch_me(token, changes)
    assert answer.status == 200
    assert {key: answer.body[key] for key in changes} == changes
    assert datetime.fromisoformat(answer.body["updated_at"]) > datetime.fromisoformat(
        before["updated_at"]
    )
    assert {key: me(token).body[key] for key in changes} == changes


def test_patch_changes_only_what_is_sent_and_null_clears(account: dict[str, Any]) -> None:
    token = account["access_token"]
    patch_me(token, {"bio": "first", "display_name": "Ada"})
    answer = patch_me(token, {"bio": None})
    assert (answer.body["bio"], answer.body["display_name"]) == (None, "Ada")


@pytest.mark.parametrize(
    "body",
    [
        {"avatar_url": "javascript:alert(1)"},
        {"avatar_url": "ftp://example.com/a.png"},
        {"avatar_url": "https://example.com/" + "a" * 500},
        {"bio": "b" * 1001},
        {"bio": "nul\x00"},
        {"display_name": ""},
        {"display_name": None},
        {"settings": None},
        {"settings": []},
        {"settings": {"deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}}},
        {"settings": {"big": "x" * 17_000}},
        {"settings": {"k": "nul\x00"}},
        {"settings": {"nul\x00key": 1}},
        {"email": "new@example.com"},
        {"subscription_tier": "pro"},
    ],
)
def test_patch_rejects_invalid_or_forbidden_changes(account: dict[str, Any], body: Any) -> None:
    answer = patch_me(account["access_token"], body)
    assert answer.status == 422
    assert isinstance(answer.body["detail"], list)


def test_patch_needs_a_token() -> None:
    answer = invoke("me", http_event("PATCH", "/api/auth/me", body={"bio": "x"}))
    assert answer.status == 401


def test_last_seen_is_written_at_most_once_per_interval(
    account: dict[str, Any], override_settings: Any
) -> None:
    token = account["access_token"]
    first = me(token).body["last_seen_at"]
    assert me(token).body["last_seen_at"] == first  # within the minute: no write
    override_settings(LAST_SEEN_INTERVAL_S=0)
    assert me(token).body["last_seen_at"] > first


def test_login_always_updates_last_seen(account: dict[str, Any]) -> None:
    again = login(account["user"]["email"]).body
    assert again["user"]["last_seen_at"] > account["user"]["last_seen_at"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_settings_with_non_finite_numbers_are_422_not_500(
    account: dict[str, Any], constant: str
) -> None:
    # Python's JSON parser accepts these; JSON and Postgres' jsonb do not.
    body = '{"settings": {"zoom": ' + constant + "}}"
    answer = patch_me(account["access_token"], body)
    assert answer.status == 422
    assert any("settings" in error["loc"] for error in answer.body["detail"])
    assert me(account["access_token"]).body["settings"] == {}


@pytest.mark.parametrize(
    "settings",
    ['{"k": "\\ud800"}', '{"k": ["ok", {"deep": "x\\udfff"}]}'],
    ids=["value", "nested"],
)
def test_settings_with_a_lone_surrogate_are_422_not_500(
    account: dict[str, Any], settings: str
) -> None:
    # Valid JSON in plain ASCII; str fields refuse it already, and jsonb cannot hold it.
    answer = patch_me(account["access_token"], '{"settings": ' + settings + "}")
    assert answer.status == 422
    assert any("settings" in error["loc"] for error in answer.body["detail"])
    assert me(account["access_token"]).body["settings"] == {}


def test_the_engine_never_logs_sql_parameters() -> None:
    from mdcreator.infra.db import get_engine

    assert get_engine().hide_parameters
