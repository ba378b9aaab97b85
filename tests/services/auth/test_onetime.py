"""One-time tokens: random, hashed at rest, single use, bound to their purpose, expiring."""

from __future__ import annotations

import dataclasses
import hashlib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from mdcreator.auth import onetime
from mdcreator.auth.errors import InvalidLinkToken
from mdcreator.auth.onetime import Grant, Purpose
from mdcreator.infra.redis import get_redis, key


def _stored(purpose: Purpose, token: str) -> str:
    return key("link-token", purpose.value, hashlib.sha256(token.encode()).hexdigest())


def _grant(purpose: Purpose = Purpose.VERIFY_EMAIL) -> Grant:
    return Grant(purpose, uuid.uuid4(), "ada@example.com")


def test_token_is_long_random_and_url_safe() -> None:
    tokens = {onetime.issue(_grant(), 60) for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) >= 43  # 32 bytes
        assert token.replace("-", "").replace("_", "").isalnum()


def test_only_a_hash_is_stored() -> None:
    token = onetime.issue(_grant(), 60)
    names = list(get_redis().scan_iter(key("link-token", "*")))
    assert _stored(Purpose.VERIFY_EMAIL, token) in names
    assert not any(token in name for name in names)
    assert not any(token in str(get_redis().get(name)) for name in names)


def test_redeem_returns_the_grant_once() -> None:
    grant = _grant()
    token = onetime.issue(grant, 60)
    redeemed = onetime.redeem(Purpose.VERIFY_EMAIL, token)
    assert 59_000 < redeemed.expires_in_ms <= 60_000
    assert dataclasses.replace(redeemed, expires_in_ms=0) == grant
    with pytest.raises(InvalidLinkToken):
        onetime.redeem(Purpose.VERIFY_EMAIL, token)


def test_a_token_given_back_works_again_for_the_rest_of_its_life_only() -> None:
    token = onetime.issue(_grant(), 60)
    redeemed = onetime.redeem(Purpose.VERIFY_EMAIL, token)
    onetime.give_back(token, redeemed)
    assert 0 < get_redis().pttl(_stored(Purpose.VERIFY_EMAIL, token)) <= redeemed.expires_in_ms
    assert onetime.redeem(Purpose.VERIFY_EMAIL, token).user_id == redeemed.user_id


def test_concurrent_redeems_of_one_token_have_exactly_one_winner() -> None:
    token = onetime.issue(_grant(), 60)

    def attempt(_: int) -> bool:
        try:
            onetime.redeem(Purpose.VERIFY_EMAIL, token)
        except InvalidLinkToken:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(attempt, range(32)))
    assert results.count(True) == 1


def test_a_token_of_another_purpose_is_refused_and_keeps_working_for_its_own() -> None:
    token = onetime.issue(_grant(Purpose.VERIFY_EMAIL), 60)
    for other in (Purpose.RESET_PASSWORD, Purpose.CHANGE_EMAIL):
        with pytest.raises(InvalidLinkToken):
            onetime.redeem(other, token)
    assert onetime.redeem(Purpose.VERIFY_EMAIL, token).purpose is Purpose.VERIFY_EMAIL


def test_token_expires_with_its_lifetime() -> None:
    token = onetime.issue(_grant(Purpose.RESET_PASSWORD), 3600)
    name = _stored(Purpose.RESET_PASSWORD, token)
    assert 3590 <= get_redis().ttl(name) <= 3600
    get_redis().pexpire(name, 1)
    time.sleep(0.01)
    with pytest.raises(InvalidLinkToken):
        onetime.redeem(Purpose.RESET_PASSWORD, token)


@pytest.mark.parametrize("token", ["", "x", "a" * 400, "../../etc", "ü" * 10])
def test_unknown_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidLinkToken):
        onetime.redeem(Purpose.VERIFY_EMAIL, token)
