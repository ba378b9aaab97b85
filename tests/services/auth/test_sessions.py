"""Sessions, refresh rotation, revocation and device tokens, against the real Redis."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from mdcreator.auth import sessions
from mdcreator.auth.sessions import Rotation
from mdcreator.auth.tokens import RefreshToken, refresh_digest

Ids = tuple[uuid.UUID, uuid.UUID, str]


def _new(user_id: uuid.UUID, session_id: uuid.UUID, version: int = 0) -> datetime | None:
    return sessions.create_session(user_id, session_id, refresh_digest(uuid.uuid4().hex), version)


@pytest.fixture
def session() -> Ids:
    """(user_id, session_id, refresh secret) of a fresh session at credentials version 0."""
    token = RefreshToken.new(uuid.uuid4(), uuid.uuid4())
    ids = token.user_id, token.session_id, token.secret
    assert sessions.create_session(ids[0], ids[1], refresh_digest(ids[2]), 0) is not None
    return ids


def _live(user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
    return sessions.session_credentials(user_id, session_id, uuid.uuid4()) is not None


def _rotate(ids: Ids, presented: str, version: int = 0) -> sessions.Refresh:
    user_id, session_id, _ = ids
    return sessions.rotate_refresh_token(user_id, session_id, presented, version)


def test_token_is_live_while_its_session_exists(session: Ids) -> None:
    user_id, session_id, _ = session
    assert sessions.session_credentials(user_id, session_id, uuid.uuid4()) == 0
    sessions.end_session(user_id, session_id)
    assert not _live(user_id, session_id)


def test_revoked_token_is_dead_but_its_session_lives_on(session: Ids) -> None:
    user_id, session_id, _ = session
    revoked = uuid.uuid4()
    sessions.revoke_token(user_id, revoked, datetime.now(UTC) + timedelta(minutes=1))
    assert sessions.session_credentials(user_id, session_id, revoked) is None
    assert _live(user_id, session_id)


def test_revocation_expires_with_the_token() -> None:
    user_id, jti = uuid.uuid4(), uuid.uuid4()
    sessions.revoke_token(user_id, jti, datetime.now(UTC) + timedelta(seconds=90))
    assert 85 <= sessions.get_redis().ttl(sessions.key("revoked", f"{{{user_id}}}", jti)) <= 91


def test_a_session_lives_as_long_as_a_refresh_token(session: Ids) -> None:
    user_id, session_id, _ = session
    life = 30 * 86_400
    assert life - 5 <= sessions.get_redis().ttl(sessions.session_key(user_id, session_id)) <= life


def test_rotation_then_reuse_of_an_old_token_kills_the_session(session: Ids) -> None:
    user_id, session_id, first = session
    second = _rotate(session, first)
    assert second.outcome is Rotation.ROTATED
    assert second.secret is not None
    assert _rotate(session, second.secret).outcome is Rotation.ROTATED
    assert _rotate(session, first).outcome is Rotation.REUSED
    assert not _live(user_id, session_id)
    assert _rotate(session, second.secret).outcome is Rotation.GONE


def test_a_secret_that_was_never_the_sessions_is_refused_and_ends_nothing(session: Ids) -> None:
    user_id, session_id, first = session
    assert _rotate(session, RefreshToken.new(user_id, session_id).secret).outcome is (
        Rotation.UNKNOWN
    )
    assert _live(user_id, session_id)
    assert _rotate(session, first).outcome is Rotation.ROTATED


def test_the_child_secret_is_the_one_whose_hash_the_session_keeps(session: Ids) -> None:
    user_id, session_id, first = session
    child = _rotate(session, first)
    assert child.secret is not None and child.secret != first
    stored = sessions.get_redis().hgetall(sessions.session_key(user_id, session_id))
    assert stored["refresh_hash"] == refresh_digest(child.secret)
    assert stored["previous_hash"] == refresh_digest(first)
    assert first not in stored.values() and child.secret not in stored.values()


def test_the_just_rotated_token_within_grace_gets_the_same_child(session: Ids) -> None:
    user_id, session_id, first = session
    child = _rotate(session, first)
    again = _rotate(session, first)
    assert again.outcome is Rotation.DUPLICATE
    assert again.secret == child.secret
    assert again.ends_at == child.ends_at
    assert _live(user_id, session_id)


def test_concurrent_rotations_of_one_token_share_one_child(session: Ids) -> None:
    _, _, first = session
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: _rotate(session, first), range(20)))
    assert [r.outcome for r in results].count(Rotation.ROTATED) == 1
    assert {r.secret for r in results} == {results[0].secret}


def test_a_session_with_outdated_credentials_is_gone_on_refresh(session: Ids) -> None:
    _, _, first = session
    assert _rotate(session, first, version=1).outcome is Rotation.GONE


def test_end_all_sessions_can_keep_the_current_one() -> None:
    user_id = uuid.uuid4()
    session_ids = [uuid.uuid4() for _ in range(3)]
    for session_id in session_ids:
        _new(user_id, session_id)
    assert sessions.end_all_sessions(user_id, keep=session_ids[0]) == 2
    assert [_live(user_id, sid) for sid in session_ids] == [True, False, False]
    assert sessions.end_all_sessions(user_id) == 1
    assert sessions.end_all_sessions(user_id) == 0


def test_a_new_credentials_version_refuses_sessions_still_being_created() -> None:
    user_id, keep = uuid.uuid4(), uuid.uuid4()
    _new(user_id, keep)
    sessions.end_all_sessions(user_id, keep=keep, credentials_version=1)
    assert sessions.session_credentials(user_id, keep, uuid.uuid4()) == 1
    # A login that read the old password before the change commits its session after it.
    assert _new(user_id, uuid.uuid4(), 0) is None
    assert _new(user_id, uuid.uuid4(), 1) is not None


def test_device_tokens_are_bound_to_their_account_and_die_with_end_all() -> None:
    user_id, other, session_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    _new(user_id, session_id)
    token = sessions.issue_device_token(user_id, session_id)
    assert token is not None
    assert sessions.is_device_trusted(user_id, token)
    assert not sessions.is_device_trusted(other, token)
    assert not sessions.is_device_trusted(user_id, token + "x")
    sessions.end_all_sessions(user_id)
    assert not sessions.is_device_trusted(user_id, token)


def test_only_a_digest_of_a_device_token_is_stored() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    _new(user_id, session_id)
    token = sessions.issue_device_token(user_id, session_id)
    assert token is not None
    stored = sessions.get_redis().hgetall(sessions.key("devices", f"{{{user_id}}}"))
    assert token not in str(stored)
    assert len(stored) == 1


def _legacy_session(user_id: uuid.UUID, session_id: uuid.UUID, **fields: object) -> None:
    """A session as the previous release kept it: jtis of signed refresh JWTs, no hashes."""
    now = int(datetime.now(UTC).timestamp() * 1000)
    key = sessions.session_key(user_id, session_id)
    sessions.get_redis().hset(key, mapping={"cv": 0, "created_at": now, **fields})  # type: ignore[arg-type]
    sessions.get_redis().pexpire(key, 60_000)


def test_a_legacy_jti_rotated_by_the_previous_release_moments_ago_ends_nothing() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    current, previous = uuid.uuid4(), uuid.uuid4()
    rotated_at = int(datetime.now(UTC).timestamp() * 1000)
    _legacy_session(
        user_id,
        session_id,
        refresh_jti=str(current),
        previous_jti=str(previous),
        rotated_at=rotated_at,
    )
    retry = sessions.rotate_refresh_token(user_id, session_id, "jwt-1", 0, legacy_jti=previous)
    assert retry.outcome is Rotation.UNKNOWN
    assert _live(user_id, session_id)
    rotated = sessions.rotate_refresh_token(user_id, session_id, "jwt-2", 0, legacy_jti=current)
    assert rotated.outcome is Rotation.ROTATED


def test_an_older_legacy_jti_is_reuse_and_ends_the_session() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    _legacy_session(user_id, session_id, refresh_jti=str(uuid.uuid4()))
    older = sessions.rotate_refresh_token(user_id, session_id, "jwt", 0, legacy_jti=uuid.uuid4())
    assert older.outcome is Rotation.REUSED
    assert not _live(user_id, session_id)
