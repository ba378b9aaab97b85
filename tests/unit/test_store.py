"""The session and revocation store, against the real Redis."""

import uuid
from datetime import UTC, datetime, timedelta

from mdcreator import store


def test_token_is_live_while_its_session_exists() -> None:
    session_id = store.start_session(uuid.uuid4(), datetime.now(UTC) + timedelta(minutes=5))
    jti = uuid.uuid4()
    assert store.is_token_live(jti, session_id)
    store.end_session(session_id)
    assert not store.is_token_live(jti, session_id)


def test_revoked_token_is_dead_but_its_session_lives_on() -> None:
    session_id = store.start_session(uuid.uuid4(), datetime.now(UTC) + timedelta(minutes=5))
    revoked, other = uuid.uuid4(), uuid.uuid4()
    store.revoke_token(revoked, datetime.now(UTC) + timedelta(minutes=1))
    assert not store.is_token_live(revoked, session_id)
    assert store.is_token_live(other, session_id)


def test_keys_expire_with_what_they_guard() -> None:
    expires = datetime.now(UTC) + timedelta(seconds=90)
    session_id = store.start_session(uuid.uuid4(), expires)
    jti = uuid.uuid4()
    store.revoke_token(jti, expires)
    redis = store.get_redis()
    for key in (store._key("session", session_id), store._key("revoked", jti)):
        assert 85 <= redis.ttl(key) <= 91


def test_revoking_an_already_expired_token_still_sets_a_short_ttl() -> None:
    jti = uuid.uuid4()
    store.revoke_token(jti, datetime.now(UTC) - timedelta(seconds=10))
    assert 0 < store.get_redis().ttl(store._key("revoked", jti)) <= 1
