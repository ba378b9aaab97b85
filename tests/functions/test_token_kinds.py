"""What each kind of token is to this API and to a verifier that holds nothing but the JWKS:
access tokens are `at+jwt` JWTs, refresh tokens are opaque and mean nothing outside /refresh."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.support.forge import sign
from tests.support.handlers import me, refresh
from tests.support.lambda_events import http_event, invoke

ISSUER, AUDIENCE = "mdcreator-api", "mdcreator-spa"  # the settings' defaults, as deployed


def _jwks() -> dict[str, Any]:
    answer = invoke("jwks", http_event("GET", "/.well-known/jwks.json"))
    assert answer.status == 200
    return dict(answer.body)


def third_party_verify(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """What docs/verifying-tokens.md tells another service to check, with the JWKS only."""
    header = jwt.get_unverified_header(token)  # an opaque token is no JWT: DecodeError
    if header.get("alg") != "ES256" or header.get("typ") != "at+jwt":
        raise jwt.InvalidTokenError(f"not an access token: {header}")
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    return dict(
        jwt.decode(
            token,
            key.key,
            algorithms=["ES256"],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
        )
    )


def _legacy_session(user_id: str, credentials_version: int = 0) -> str:
    """A session and its refresh token as the previous release made them: a signed JWT
    (typ refresh, JOSE typ JWT) whose jti the session records."""
    from mdcreator.auth import sessions

    session_id, jti = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    redis = sessions.get_redis()
    redis.hset(
        sessions.session_key(user_id, session_id),
        mapping={
            "refresh_jti": str(jti),
            "cv": credentials_version,
            "created_at": int(now.timestamp() * 1000),
        },
    )
    redis.pexpire(sessions.session_key(user_id, session_id), 30 * 86_400_000)
    redis.zadd(sessions._user_keys(user_id)[1], {str(session_id): int(now.timestamp() * 1000)})
    claims = {
        "sub": user_id,
        "sid": str(session_id),
        "jti": str(jti),
        "typ": "refresh",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(days=30),
    }
    return sign(claims)


def _is_jwt(token: str) -> bool:
    try:
        jwt.get_unverified_header(token)
    except jwt.DecodeError:
        return False
    return True


def test_refresh_tokens_are_opaque_and_the_session_keeps_only_a_hash(
    account: dict[str, Any],
) -> None:
    from mdcreator.auth import sessions

    token = account["refresh_token"]
    assert not _is_jwt(token)
    secret = token.rsplit(".", 1)[-1]
    assert len(jwt.utils.base64url_decode(secret)) >= 32  # at least 256 random bits
    stored = sessions.get_redis().hgetall(
        sessions.session_key(account["user"]["id"], _access_sid(account["access_token"]))
    )
    assert token not in stored.values() and secret not in stored.values()
    assert stored["refresh_hash"] == hashlib.sha256(secret.encode()).hexdigest()


def _access_sid(access_token: str) -> str:
    return str(jwt.decode(access_token, options={"verify_signature": False})["sid"])


def test_access_tokens_carry_typ_at_jwt_and_a_pinnable_audience(account: dict[str, Any]) -> None:
    header = jwt.get_unverified_header(account["access_token"])
    assert (header["typ"], header["alg"]) == ("at+jwt", "ES256")
    claims = jwt.decode(account["access_token"], options={"verify_signature": False})
    assert claims["aud"] == AUDIENCE


def test_our_verification_requires_typ_at_jwt(account: dict[str, Any]) -> None:
    claims = jwt.decode(account["access_token"], options={"verify_signature": False})
    assert me(sign(claims, typ="at+jwt")).status == 200
    assert me(sign(claims, typ="JWT")).status == 401


def test_a_verifier_with_only_the_jwks_accepts_access_and_refuses_refresh_tokens(
    account: dict[str, Any],
) -> None:
    jwks = _jwks()
    assert third_party_verify(account["access_token"], jwks)["sub"] == account["user"]["id"]
    with pytest.raises(jwt.InvalidTokenError):
        third_party_verify(account["refresh_token"], jwks)
    # A refresh JWT of the previous release, still within its 30 days: valid signature, our
    # iss and aud, but its header is no at+jwt.
    legacy = _legacy_session(account["user"]["id"])
    jwt.decode(
        legacy,
        jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(legacy)["kid"]].key,
        algorithms=["ES256"],
        audience=AUDIENCE,
        issuer=ISSUER,
    )
    with pytest.raises(jwt.InvalidTokenError):
        third_party_verify(legacy, jwks)
    # Nor does this API take either as a bearer.
    assert me(account["refresh_token"]).status == 401
    assert me(legacy).status == 401


def test_a_legacy_refresh_jwt_rotates_once_into_an_opaque_token(account: dict[str, Any]) -> None:
    from mdcreator.auth import sessions

    legacy = _legacy_session(account["user"]["id"])
    first = refresh(legacy)
    assert first.status == 200, first.body
    assert not _is_jwt(first.body["refresh_token"])
    assert me(first.body["access_token"]).status == 200
    # Within the grace period the same legacy token gets the session's current pair.
    retry = refresh(legacy)
    assert retry.status == 200
    assert retry.body["refresh_token"] == first.body["refresh_token"]
    stored = sessions.get_redis().hgetall(
        sessions.session_key(account["user"]["id"], _access_sid(first.body["access_token"]))
    )
    assert "refresh_jti" not in stored  # the session is an opaque one now
    second = refresh(first.body["refresh_token"])
    assert second.status == 200
    # After that the legacy token is an old rotated token: theft, the session ends.
    assert refresh(legacy).status == 401
    assert me(second.body["access_token"]).status == 401
    assert refresh(second.body["refresh_token"]).status == 401


def test_a_legacy_refresh_jwt_past_the_grace_period_kills_its_session(
    account: dict[str, Any], override_settings: Any
) -> None:
    override_settings(REFRESH_REUSE_GRACE_S=0)
    legacy = _legacy_session(account["user"]["id"])
    rotated = refresh(legacy)
    assert rotated.status == 200
    time.sleep(0.01)
    assert refresh(legacy).status == 401
    assert refresh(rotated.body["refresh_token"]).status == 401


def test_a_legacy_refresh_jwt_of_an_outdated_password_is_refused(
    account: dict[str, Any],
) -> None:
    from tests.functions.test_password_and_delete import change_password

    legacy = _legacy_session(account["user"]["id"], credentials_version=0)
    assert change_password(account["access_token"], "correct-horse-battery").status == 200
    assert refresh(legacy).status == 401


def test_an_opaque_token_with_a_forged_secret_or_ids_is_refused(account: dict[str, Any]) -> None:
    token = account["refresh_token"]
    head, _, secret = token.rpartition(".")
    flipped = secret[:-2] + ("AA" if secret[-2:] != "AA" else "BB")
    assert refresh(f"{head}.{flipped}").status == 401
    other_user = token.replace(account["user"]["id"].replace("-", ""), uuid.uuid4().hex)
    assert refresh(other_user).status == 401
    # The forged attempt was no reuse of a rotated token: the real one still works.
    assert refresh(token).status == 200
    assert me(account["access_token"]).status == 200
