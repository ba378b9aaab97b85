from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.functions.conftest import me, refresh
from tests.support.lambda_events import Answer

UNAUTHORIZED = {"detail": "Could not validate credentials"}


def test_refresh_returns_a_new_pair_like_login(account: dict[str, Any]) -> None:
    answer = refresh(account["refresh_token"])
    assert answer.status == 200
    assert set(answer.body) == set(account)
    assert answer.body["refresh_token"] != account["refresh_token"]
    assert answer.body["access_token"] != account["access_token"]
    assert me(answer.body["access_token"]).status == 200


def test_refresh_chain_then_reuse_of_the_first_kills_the_session(
    account: dict[str, Any],
) -> None:
    second = refresh(account["refresh_token"]).body
    third = refresh(second["refresh_token"]).body
    reused = refresh(account["refresh_token"])
    assert reused.status == 401
    assert reused.body == UNAUTHORIZED
    # Every token descended from that login is dead now.
    assert me(third["access_token"]).status == 401
    assert me(account["access_token"]).status == 401
    assert refresh(third["refresh_token"]).status == 401


def test_just_rotated_token_again_is_refused_but_session_lives(account: dict[str, Any]) -> None:
    second = refresh(account["refresh_token"]).body
    assert refresh(account["refresh_token"]).status == 401
    assert me(second["access_token"]).status == 200
    assert refresh(second["refresh_token"]).status == 200


def test_reuse_after_the_grace_period_kills_the_session(
    account: dict[str, Any], override_settings: Any
) -> None:
    override_settings(REFRESH_REUSE_GRACE_S=0)
    second = refresh(account["refresh_token"]).body
    assert refresh(account["refresh_token"]).status == 401
    assert me(second["access_token"]).status == 401


def _refresh_in_thread(token: str) -> Answer:
    # Mangum wants an event loop in the calling thread, as Lambda's main thread has.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return refresh(token)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def test_concurrent_refreshes_of_one_token_exactly_one_succeeds(account: dict[str, Any]) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(_refresh_in_thread, [account["refresh_token"]] * 20))
    assert sorted(answer.status for answer in answers) == [200] + [401] * 19


def test_access_token_is_refused_by_refresh(account: dict[str, Any]) -> None:
    answer = refresh(account["access_token"])
    assert answer.status == 401
    assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 4097])
def test_malformed_refresh_tokens_are_refused(token: str) -> None:
    assert refresh(token).status in (401, 422)


def test_refresh_after_logout_is_refused(account: dict[str, Any], call: Any) -> None:
    from tests.functions.conftest import bearer

    call("logout", "POST", "/api/auth/logout", headers=bearer(account["access_token"]))
    assert refresh(account["refresh_token"]).status == 401
