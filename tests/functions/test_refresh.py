from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.handlers import in_thread, me, refresh

UNAUTHORIZED = {"detail": "Could not validate credentials"}


def test_refresh_returns_a_new_pair_like_login(account: dict[str, Any]) -> None:
    answer = refresh(account["refresh_token"])
    assert answer.status == 200
    assert set(answer.body) == set(account) - {"device_token"}
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


def test_just_rotated_token_again_within_grace_gets_the_current_pair(
    account: dict[str, Any],
) -> None:
    second = refresh(account["refresh_token"]).body
    retry = refresh(account["refresh_token"])  # the first answer got lost on the way
    assert retry.status == 200
    assert retry.body["refresh_token"] == second["refresh_token"]
    assert me(retry.body["access_token"]).status == 200
    assert me(second["access_token"]).status == 200
    assert refresh(retry.body["refresh_token"]).status == 200


def test_reuse_after_the_grace_period_kills_the_session(
    account: dict[str, Any], override_settings: Any
) -> None:
    override_settings(REFRESH_REUSE_GRACE_S=0)
    second = refresh(account["refresh_token"]).body
    assert refresh(account["refresh_token"]).status == 401
    # The whole session is gone: its current refresh token and its access tokens too.
    assert me(second["access_token"]).status == 401
    assert me(account["access_token"]).status == 401
    assert refresh(second["refresh_token"]).status == 401


def test_concurrent_refreshes_of_one_token_all_get_the_one_child(account: dict[str, Any]) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(
            pool.map(lambda token: in_thread(refresh, token), [account["refresh_token"]] * 20)
        )
    assert [answer.status for answer in answers] == [200] * 20
    assert len({answer.body["refresh_token"] for answer in answers}) == 1
    assert len({answer.body["access_token"] for answer in answers}) == 20


def test_access_token_is_refused_by_refresh(account: dict[str, Any]) -> None:
    answer = refresh(account["access_token"])
    assert answer.status == 401
    assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 4097])
def test_malformed_refresh_tokens_are_refused(token: str) -> None:
    assert refresh(token).status in (401, 422)


def test_refresh_after_logout_is_refused(account: dict[str, Any], call: Any) -> None:
    from tests.support.handlers import bearer

    call("logout", "POST", "/api/auth/logout", headers=bearer(account["access_token"]))
    assert refresh(account["refresh_token"]).status == 401
