import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import jwt
import pytest

from mdcreator.auth.errors import InvalidToken
from mdcreator.auth.keys import generate_private_jwk, get_signing_key, public_jwks_of
from mdcreator.auth.tokens import create_token, decode_token
from tests.support.clients import reset_clients


def test_access_token_round_trip_carries_all_claims() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = create_token(user_id, session_id, "access")
    payload = decode_token(token, "access")
    assert (payload.sub, payload.sid, payload.typ) == (user_id, session_id, "access")
    assert payload.iat <= datetime.now(UTC) < payload.exp
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) >= {"sub", "exp", "iat", "jti", "iss", "aud", "typ", "sid"}
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["kid"]) == ("ES256", get_signing_key().kid)


def test_every_token_gets_its_own_jti() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    first = decode_token(create_token(user_id, session_id, "access"), "access")
    second = decode_token(create_token(user_id, session_id, "access"), "access")
    assert first.jti != second.jti


@pytest.mark.parametrize(("made", "expected"), [("access", "refresh"), ("refresh", "access")])
def test_token_kinds_are_not_interchangeable(made: str, expected: str) -> None:
    token = create_token(uuid.uuid4(), uuid.uuid4(), made)  # type: ignore[arg-type]
    with pytest.raises(InvalidToken):
        decode_token(token, expected)  # type: ignore[arg-type]


def test_refresh_token_outlives_access_token() -> None:
    ids = uuid.uuid4(), uuid.uuid4()
    access = decode_token(create_token(*ids, "access"), "access")
    refresh = decode_token(create_token(*ids, "refresh"), "refresh")
    assert (refresh.exp - access.exp).days >= 29


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Switch the process's keys as a deploy would: keys(private, [public, ...])."""

    def _use(private: dict[str, str], *published: dict[str, str]) -> None:
        ring = [jwk for private_jwk in published for jwk in public_jwks_of(private_jwk)["keys"]]
        monkeypatch.setenv("JWT_PRIVATE_KEY", json.dumps(private))
        monkeypatch.setenv("JWT_PUBLIC_KEYS", json.dumps({"keys": ring}))
        reset_clients()

    yield _use
    monkeypatch.undo()
    reset_clients()


def test_rotation_keeps_tokens_of_the_previous_key_valid(keys) -> None:  # type: ignore[no-untyped-def]
    old, new = generate_private_jwk(), generate_private_jwk()
    ids = uuid.uuid4(), uuid.uuid4()
    keys(old, old)
    before = create_token(*ids, "refresh")
    # The new public key is published first, then the new private key signs.
    keys(old, old, new)
    assert decode_token(before, "refresh").sub == ids[0]
    keys(new, new, old)
    after = create_token(*ids, "refresh")
    assert jwt.get_unverified_header(after)["kid"] != jwt.get_unverified_header(before)["kid"]
    assert decode_token(before, "refresh").sub == decode_token(after, "refresh").sub
    # Once the old key leaves the ring, its tokens are dead; the new ones live on.
    keys(new, new)
    with pytest.raises(InvalidToken):
        decode_token(before, "refresh")
    assert decode_token(after, "refresh").sub == ids[0]
