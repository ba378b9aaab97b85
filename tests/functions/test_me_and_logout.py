from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.support.forge import (
    claims_of,
    public_key_as_hmac_secret,
    sign,
    sign_with_embedded_key,
    sign_with_other_key,
    swap_payload,
)
from tests.support.handlers import bearer
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
    return claims_of(account["access_token"], **changes)


def _hs(claims: dict[str, Any], algorithm: str) -> str:
    return jwt.encode(claims, "k" * 64, algorithm=algorithm)


FORGERIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "refresh-as-access": lambda a: a["refresh_token"],
    "tampered-signature": lambda a: a["access_token"][:-4] + "AAAA",
    # A longer life under the original header and signature: everything else is genuine,
    # so only the signature check can refuse it.
    "tampered-payload": lambda a: swap_payload(a["access_token"], exp=_claims(a)["exp"] + 86_400),
    "alg-none": lambda a: jwt.encode(_claims(a), None, algorithm="none"),  # type: ignore[arg-type]
    "hs256": lambda a: _hs(_claims(a), "HS256"),
    "hs512": lambda a: _hs(_claims(a), "HS512"),
    "hs256-keyed-with-our-public-jwk": lambda a: public_key_as_hmac_secret(_claims(a)),
    "hs256-keyed-with-our-public-pem": lambda a: public_key_as_hmac_secret(_claims(a), pem=True),
    "other-key-our-kid": lambda a: sign_with_other_key(_claims(a)),
    "other-key-no-kid": lambda a: sign_with_other_key(_claims(a), same_kid=False),
    "unknown-kid": lambda a: sign(_claims(a), kid="not-one-of-ours"),
    "key-offered-in-header": lambda a: sign_with_embedded_key(_claims(a)),
    "expired": lambda a: sign(_claims(a, exp=datetime.now(UTC) - timedelta(seconds=5))),
    "nbf-future": lambda a: sign(_claims(a, nbf=datetime.now(UTC) + timedelta(hours=1))),
    "wrong-iss": lambda a: sign(_claims(a, iss="someone-else")),
    "wrong-aud": lambda a: sign(_claims(a, aud="another-app")),
    "wrong-typ": lambda a: sign(_claims(a, typ="id")),
    "no-jti": lambda a: sign(_claims(a, jti=None)),
    "no-sid": lambda a: sign(_claims(a, sid=None)),
    "no-exp": lambda a: sign(_claims(a, exp=None)),
    "unknown-session": lambda a: sign(_claims(a, sid=str(uuid.uuid4()))),
    "unknown-user": lambda a: sign(_claims(a, sub=str(uuid.uuid4()))),
    "garbage": lambda _: "not.a.jwt",
    "10kb": lambda _: "A" * 10_240,
}


def test_tokens_we_forge_with_the_run_key_are_accepted(account: dict[str, Any]) -> None:
    # The forgeries above differ from a good token only in what their names say.
    assert me(sign(_claims(account))).status == 200


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
    from tests.support.handlers import login

    other = login(account["user"]["email"]).body["access_token"]
    call("logout", "POST", "/api/auth/logout", headers=bearer(account["access_token"]))
    assert me(other).status == 200


def test_logout_sets_revocation_ttl_to_the_tokens_remaining_life(
    account: dict[str, Any], call: Call, redis_prefix: str
) -> None:
    from redis import Redis

    from tests.support.settings import REDIS_URL

    token = account["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    call("logout", "POST", "/api/auth/logout", headers=bearer(token))
    key = f"{redis_prefix}revoked:{{{claims['sub']}}}:{claims['jti']}"
    ttl = Redis.from_url(REDIS_URL).ttl(key)
    remaining = claims["exp"] - datetime.now(UTC).timestamp()
    assert remaining - 5 <= ttl <= remaining + 2
