from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.conftest import TEST_SECRET
from tests.functions.conftest import bearer
from tests.support.lambda_events import Answer, invoke, load_event

Call = Callable[..., Answer]


def me(token: str | None = None, raw_header: str | None = None) -> Answer:
    event = load_event("me")
    event["headers"].pop("authorization")
    if token is not None:
        event["headers"]["authorization"] = f"Bearer {token}"
    if raw_header is not None:
        event["headers"]["authorization"] = raw_header
    return invoke("me", event)


def _assert_401(answer: Answer) -> None:
    assert answer.status == 401
    assert answer.body == {"detail": "Could not validate credentials"}
    assert answer.headers["www-authenticate"] == "Bearer"


def test_me_returns_the_user(account: dict[str, Any]) -> None:
    answer = me(account["access_token"])
    assert answer.status == 200
    assert answer.body["id"] == account["user"]["id"]
    assert answer.body["email"] == account["user"]["email"]


def test_me_sample_event_without_a_real_token_is_401() -> None:
    _assert_401(invoke("me", load_event("me")))


def _claims(account: dict[str, Any], **changes: Any) -> dict[str, Any]:
    claims = jwt.decode(account["access_token"], options={"verify_signature": False})
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _forge(claims: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


FORGERIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "refresh-as-access": lambda a: a["refresh_token"],
    "tampered-signature": lambda a: a["access_token"][:-4] + "AAAA",
    "tampered-payload": lambda a: _forge(_claims(a, sub=str(uuid.uuid4())), key="x" * 40),
    "alg-none": lambda a: jwt.encode(_claims(a), None, algorithm="none"),  # type: ignore[arg-type]
    "hs512": lambda a: _forge(_claims(a), algorithm="HS512"),
    "other-key": lambda a: _forge(_claims(a), key="another-key-another-key-another-key"),
    "expired": lambda a: _forge(_claims(a, exp=datetime.now(UTC) - timedelta(seconds=5))),
    "nbf-future": lambda a: _forge(_claims(a, nbf=datetime.now(UTC) + timedelta(hours=1))),
    "wrong-iss": lambda a: _forge(_claims(a, iss="someone-else")),
    "wrong-aud": lambda a: _forge(_claims(a, aud="another-app")),
    "wrong-typ": lambda a: _forge(_claims(a, typ="id")),
    "no-jti": lambda a: _forge(_claims(a, jti=None)),
    "unknown-session": lambda a: _forge(_claims(a, sid=str(uuid.uuid4()))),
    "unknown-user": lambda a: _forge(_claims(a, sub=str(uuid.uuid4()))),
    "garbage": lambda _: "not.a.jwt",
    "10kb": lambda _: "A" * 10_240,
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_me_rejects_bad_tokens_with_401(
    account: dict[str, Any], forge: Callable[[dict[str, Any]], str]
) -> None:
    _assert_401(me(forge(account)))


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a b"]
)
def test_me_rejects_malformed_authorization_headers(header: str) -> None:
    _assert_401(me(raw_header=header))


def test_me_without_authorization_is_401() -> None:
    _assert_401(me())


def test_logout_revokes_the_token_at_once(account: dict[str, Any], call: Call) -> None:
    token = account["access_token"]
    assert me(token).status == 200
    answer = call("logout", "POST", "/api/auth/logout", headers=bearer(token))
    assert answer.status == 200
    assert answer.body == {"message": "Logged out successfully"}
    _assert_401(me(token))
    _assert_401(call("logout", "POST", "/api/auth/logout", headers=bearer(token)))


def test_logout_leaves_other_sessions_alive(account: dict[str, Any], call: Call) -> None:
    from tests.functions.conftest import login

    other = login(account["user"]["email"]).body["access_token"]
    call("logout", "POST", "/api/auth/logout", headers=bearer(account["access_token"]))
    assert me(other).status == 200


def test_logout_sets_revocation_ttl_to_the_tokens_remaining_life(
    account: dict[str, Any], call: Call, redis_prefix: str
) -> None:
    from redis import Redis

    from tests.conftest import REDIS_URL

    token = account["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    call("logout", "POST", "/api/auth/logout", headers=bearer(token))
    ttl = Redis.from_url(REDIS_URL).ttl(f"{redis_prefix}revoked:{claims['jti']}")
    remaining = claims["exp"] - datetime.now(UTC).timestamp()
    assert remaining - 5 <= ttl <= remaining + 2
