"""Sessions, refresh rotation and revocation, against the real Redis."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from mdcreator import store
from mdcreator.store import Rotation


@pytest.fixture
def session() -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """(user_id, session_id, refresh_jti) of a fresh session."""
    ids = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    store.create_session(*ids)
    return ids


def test_token_is_live_while_its_session_exists(session: tuple[uuid.UUID, ...]) -> None:
    user_id, session_id, _ = session
    jti = uuid.uuid4()
    assert store.is_token_live(jti, session_id)
    store.end_session(user_id, session_id)
    assert not store.is_token_live(jti, session_id)


def test_revoked_token_is_dead_but_its_session_lives_on(session: tuple[uuid.UUID, ...]) -> None:
    _, session_id, _ = session
    revoked, other = uuid.uuid4(), uuid.uuid4()
    store.revoke_token(revoked, datetime.now(UTC) + timedelta(minutes=1))
    assert not store.is_token_live(revoked, session_id)
    assert store.is_token_live(other, session_id)


def test_revocation_expires_with_the_token() -> None:
    jti = uuid.uuid4()
    store.revoke_token(jti, datetime.now(UTC) + timedelta(seconds=90))
    assert 85 <= store.get_redis().ttl(store.key("revoked", jti)) <= 91
    gone = uuid.uuid4()
    store.revoke_token(gone, datetime.now(UTC) - timedelta(seconds=10))
    assert 0 < store.get_redis().ttl(store.key("revoked", gone)) <= 1


def test_session_keys_live_as_long_as_a_refresh_token(session: tuple[uuid.UUID, ...]) -> None:
    user_id, session_id, _ = session
    life = 30 * 86_400
    assert life - 5 <= store.get_redis().ttl(store.key("session", session_id)) <= life
    assert life - 5 <= store.get_redis().ttl(store.key("user-sessions", user_id)) <= life


def test_rotation_then_reuse_of_an_old_token_kills_the_session(
    session: tuple[uuid.UUID, ...],
) -> None:
    user_id, session_id, first = session
    second, third = uuid.uuid4(), uuid.uuid4()
    assert store.rotate_refresh_token(user_id, session_id, first, second) is Rotation.ROTATED
    assert store.rotate_refresh_token(user_id, session_id, second, third) is Rotation.ROTATED
    assert store.rotate_refresh_token(user_id, session_id, first, uuid.uuid4()) is Rotation.REUSED
    assert not store.is_token_live(uuid.uuid4(), session_id)
    assert store.rotate_refresh_token(user_id, session_id, third, uuid.uuid4()) is Rotation.GONE


def test_the_just_rotated_token_within_grace_is_refused_without_killing(
    session: tuple[uuid.UUID, ...],
) -> None:
    user_id, session_id, first = session
    second = uuid.uuid4()
    store.rotate_refresh_token(user_id, session_id, first, second)
    assert (
        store.rotate_refresh_token(user_id, session_id, first, uuid.uuid4()) is Rotation.DUPLICATE
    )
    assert store.is_token_live(uuid.uuid4(), session_id)
    assert store.rotate_refresh_token(user_id, session_id, second, uuid.uuid4()) is Rotation.ROTATED


def test_concurrent_rotations_of_one_token_let_exactly_one_win(
    session: tuple[uuid.UUID, ...],
) -> None:
    user_id, session_id, first = session
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(
            pool.map(
                lambda _: store.rotate_refresh_token(user_id, session_id, first, uuid.uuid4()),
                range(20),
            )
        )
    assert outcomes.count(Rotation.ROTATED) == 1


def test_end_all_sessions_can_keep_the_current_one() -> None:
    user_id = uuid.uuid4()
    sessions = [uuid.uuid4() for _ in range(3)]
    for session_id in sessions:
        store.create_session(user_id, session_id, uuid.uuid4())
    assert store.end_all_sessions(user_id, keep=sessions[0]) == 2
    assert [store.is_token_live(uuid.uuid4(), sid) for sid in sessions] == [True, False, False]
    assert store.end_all_sessions(user_id) == 1
    assert store.end_all_sessions(user_id) == 0
