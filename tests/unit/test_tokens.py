import uuid
from datetime import UTC, datetime

import jwt
import pytest

from mdcreator.errors import InvalidToken
from mdcreator.tokens import create_token, decode_token


def test_access_token_round_trip_carries_all_claims() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = create_token(user_id, session_id, "access")
    payload = decode_token(token, "access")
    assert (payload.sub, payload.sid, payload.typ) == (user_id, session_id, "access")
    assert payload.iat <= datetime.now(UTC) < payload.exp
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) >= {"sub", "exp", "iat", "jti", "iss", "aud", "typ", "sid"}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


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
