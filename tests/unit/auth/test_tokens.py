import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import jwt
import pytest

from mdcreator.auth.errors import InvalidToken
from mdcreator.auth.keys import generate_private_jwk, get_signing_key, public_jwks_of
from mdcreator.auth.tokens import (
    RefreshToken,
    child_secret,
    create_access_token,
    decode_access_token,
    decode_legacy_refresh_token,
    new_nonce,
)
from tests.support.clients import reset_clients
from tests.support.forge import sign


def test_access_token_round_trip_carries_all_claims() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = create_access_token(user_id, session_id)
    payload = decode_access_token(token)
    assert (payload.sub, payload.sid, payload.typ) == (user_id, session_id, "access")
    assert payload.iat <= datetime.now(UTC) < payload.exp
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) >= {"sub", "exp", "iat", "jti", "iss", "aud", "typ", "sid"}
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["kid"], header["typ"]) == (
        "ES256",
        get_signing_key().kid,
        "at+jwt",
    )


def test_every_token_gets_its_own_jti() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    first = decode_access_token(create_access_token(user_id, session_id))
    second = decode_access_token(create_access_token(user_id, session_id))
    assert first.jti != second.jti


def _legacy_refresh(user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    claims = jwt.decode(
        create_access_token(user_id, session_id), options={"verify_signature": False}
    )
    return sign({**claims, "typ": "refresh"})  # JOSE typ JWT, as the previous release signed


def test_token_kinds_are_not_interchangeable() -> None:
    ids = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(InvalidToken):
        decode_legacy_refresh_token(create_access_token(*ids))
    with pytest.raises(InvalidToken):
        decode_access_token(_legacy_refresh(*ids))
    # The claim alone does not make an access token, nor the header alone a refresh token.
    claims = jwt.decode(create_access_token(*ids), options={"verify_signature": False})
    with pytest.raises(InvalidToken):
        decode_access_token(sign({**claims, "typ": "refresh"}, typ="at+jwt"))
    with pytest.raises(InvalidToken):
        decode_legacy_refresh_token(sign(claims))
    assert decode_legacy_refresh_token(_legacy_refresh(*ids)).sub == ids[0]


def test_refresh_tokens_are_opaque_with_256_random_bits() -> None:
    token = RefreshToken.new(uuid.uuid4(), uuid.uuid4())
    text = str(token)
    assert RefreshToken.parse(text) == token
    assert len(jwt.utils.base64url_decode(token.secret)) == 32
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header(text)
    assert RefreshToken.new(token.user_id, token.session_id).secret != token.secret
    for broken in (text[:-1], text + "A", text.replace("rt1.", "rt2."), "rt1..." + token.secret):
        assert RefreshToken.parse(broken) is None


def test_a_child_secret_needs_the_parent_and_the_nonce() -> None:
    parent, nonce = RefreshToken.new(uuid.uuid4(), uuid.uuid4()).secret, new_nonce()
    child = child_secret(parent, nonce)
    assert child == child_secret(parent, nonce)
    assert child != child_secret(parent, new_nonce())
    assert child != child_secret(RefreshToken.new(uuid.uuid4(), uuid.uuid4()).secret, nonce)
    assert len(jwt.utils.base64url_decode(child)) == 32


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
    before = create_access_token(*ids)
    # The new public key is published first, then the new private key signs.
    keys(old, old, new)
    assert decode_access_token(before).sub == ids[0]
    keys(new, new, old)
    after = create_access_token(*ids)
    assert jwt.get_unverified_header(after)["kid"] != jwt.get_unverified_header(before)["kid"]
    assert decode_access_token(before).sub == decode_access_token(after).sub
    # Once the old key leaves the ring, its tokens are dead; the new ones live on.
    keys(new, new)
    with pytest.raises(InvalidToken):
        decode_access_token(before)
    assert decode_access_token(after).sub == ids[0]
