"""Every Redis command and script of the session and limit code runs on Redis Cluster.

The server is a one-node cluster owning all 16384 slots: it answers CROSSSLOT to any
multi-key command or script whose keys hash to different slots, as a sharded cluster or
ElastiCache Serverless does. Run with the cluster-aware client and with a plain one.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.clients import reset_clients
from tests.support.handlers import PASSWORD, bearer, client_ip, login, me, refresh, signup
from tests.support.lambda_events import http_event, invoke
from tests.support.servers import RedisServer


def crc16(data: bytes) -> int:
    """CRC16-CCITT (XMODEM), the Redis Cluster key hash."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key: str) -> int:
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1 : end]
    return crc16(key.encode()) % 16384


@pytest.fixture(scope="module")
def cluster() -> Iterator[RedisServer]:
    server = RedisServer(cluster=True)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(params=["cluster-client", "plain-client"])
def on_cluster(
    request: pytest.FixtureRequest, cluster: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("REDIS_URL", cluster.url)
    monkeypatch.setenv("REDIS_CLUSTER", str(request.param == "cluster-client").lower())
    reset_clients()
    yield
    monkeypatch.undo()
    reset_clients()


def test_the_crc16_rule_matches_the_server(cluster: RedisServer) -> None:
    from redis import Redis

    with Redis(port=cluster.port) as client:
        for name in ("mdc:session:{u1}:s1", "plain", "a{b}c", "{}x"):
            assert key_slot(name) == client.execute_command("CLUSTER", "KEYSLOT", name)


def test_keys_of_one_user_or_account_share_a_slot() -> None:
    from mdcreator.auth import limits, sessions

    user_id = uuid.uuid4()
    slots = {
        key_slot(sessions.session_key(user_id, uuid.uuid4())),
        key_slot(sessions.key("sessions", f"{{{user_id}}}")),
        key_slot(sessions.key("user", f"{{{user_id}}}")),
        key_slot(sessions.key("devices", f"{{{user_id}}}")),
        key_slot(sessions.key("revoked", f"{{{user_id}}}", uuid.uuid4())),
    }
    assert len(slots) == 1
    email = "ada@example.com"
    assert key_slot(limits.failures_key(email)) == key_slot(
        limits.failures_key(email).replace("login-fails", "login-acct")
    )


def _password(token: str, current: str, new: str) -> int:
    body = {"current_password": current, "new_password": new}
    event = http_event("POST", "/api/auth/password", body=body, headers=bearer(token))
    return invoke("password", event).status


@pytest.mark.usefixtures("on_cluster")
def test_every_session_and_limit_path_runs_on_a_cluster(email: str, override_settings: Any) -> None:
    override_settings(LOGIN_ACCOUNT_MAX_FAILURES=3, REFRESH_REUSE_GRACE_S=5)
    assert signup(email).status == 201
    first = login(email, ip=client_ip()).body
    assert [login(email, "wrong-password", ip=client_ip()).status for _ in range(3)] == [401] * 3
    assert login(email, ip=client_ip()).status == 429
    second = login(email, ip=client_ip(), device_token=first["device_token"]).body
    rotated = refresh(second["refresh_token"]).body
    assert refresh(second["refresh_token"]).status == 200  # within the grace period
    assert refresh(rotated["refresh_token"]).status == 200
    assert refresh(second["refresh_token"]).status == 401  # reuse ends the session
    assert me(first["access_token"]).status == 200
    assert _password(first["access_token"], PASSWORD, "a-new-passphrase-1") == 200
    logout = http_event("POST", "/api/auth/logout-all", headers=bearer(first["access_token"]))
    assert invoke("logout_all", logout).status == 200
    assert me(first["access_token"]).status == 401

    from mdcreator.auth import limits

    limits.clear_login_lockouts(email)
    third = login(email, "a-new-passphrase-1", ip=client_ip()).body
    logout = http_event("POST", "/api/auth/logout", headers=bearer(third["access_token"]))
    assert invoke("logout", logout).status == 200


def _free_port_from(lowest: int) -> int:
    for port in range(lowest, 65_536):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from {lowest}")


def test_a_cluster_node_starts_on_a_port_high_in_the_ephemeral_range() -> None:
    # free_port() hands out ports up to 60999; a node's bus port defaults to its port + 10000.
    server = RedisServer(cluster=True)
    server.port = _free_port_from(55_536)
    try:
        server.start()
    finally:
        server.close()
