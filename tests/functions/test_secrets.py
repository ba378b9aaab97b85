"""Secret settings from a local Secrets Manager (moto's server mode): fetched at init, cached,
fetched again when Postgres rejects a rotated password or a token names a new key."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import psycopg2
import pytest

from tests.support.clients import reset_clients
from tests.support.database import migrate
from tests.support.handlers import login, me, signup
from tests.support.servers import PostgresServer
from tests.support.settings import TEST_PRIVATE_JWK, TEST_PUBLIC_JWKS
from tools.moto import MotoServer
from tools.settings import fresh_keys

SecretsClient = Any


@pytest.fixture(scope="module")
def secrets_endpoint(local_aws: MotoServer) -> str:
    """The run's one local AWS API (tests/conftest.py), Secrets Manager among its services."""
    return local_aws.url


@pytest.fixture
def aws(secrets_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretsClient]:
    """The process talks to the local Secrets Manager, as a function's role would."""
    import boto3

    from mdcreator.core import aws_secrets

    for name, value in {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": secrets_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    aws_secrets._values.clear()
    aws_secrets._read_at.clear()
    aws_secrets.forget_client()
    yield boto3.client("secretsmanager")
    monkeypatch.undo()
    aws_secrets._values.clear()
    aws_secrets._read_at.clear()
    aws_secrets.forget_client()
    reset_clients()


def _secret(client: SecretsClient, value: str) -> str:
    answer = client.create_secret(Name=f"mdc-test/{uuid.uuid4().hex[:8]}", SecretString=value)
    return str(answer["ARN"])


@pytest.fixture
def deployed(
    aws: SecretsClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., dict[str, str]]:
    """Settings as the template gives them: ARNs, and no secret value in the environment."""

    def _deploy(database: str = database_url, **overrides: str) -> dict[str, str]:
        arns = {
            "DATABASE_URL_SECRET_ARN": _secret(aws, database),
            "JWT_PRIVATE_KEY_SECRET_ARN": _secret(aws, json.dumps(TEST_PRIVATE_JWK)),
            "JWT_PUBLIC_KEYS_SECRET_ARN": _secret(aws, json.dumps(TEST_PUBLIC_JWKS)),
        }
        for name in ("DATABASE_URL", "JWT_PRIVATE_KEY", "JWT_PUBLIC_KEYS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in {**arns, **overrides}.items():
            monkeypatch.setenv(name, value)
        reset_clients()
        return arns

    return _deploy


def _login_works(email: str) -> dict[str, Any]:
    answer = login(email)
    assert answer.status == 200, answer.body
    return answer.body


def test_secrets_are_fetched_at_init_and_cached(
    deployed: Callable[..., dict[str, str]], aws: SecretsClient, account: dict[str, Any]
) -> None:
    arns = deployed()
    tokens = _login_works(account["user"]["email"])
    assert me(tokens["access_token"]).status == 200
    # Once per environment: with the secrets gone, the warm process still has its values.
    for arn in arns.values():
        aws.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    assert login(account["user"]["email"]).status == 200


def test_database_secret_in_rds_json_form(
    deployed: Callable[..., dict[str, str]], account: dict[str, Any], database_url: str
) -> None:
    from sqlalchemy import make_url

    url = make_url(database_url)
    rds = {
        "engine": "postgres",
        "username": url.username,
        "password": url.password or "",
        "host": url.host,
        "port": url.port or 5432,
        "dbname": url.database,
    }
    deployed(database=json.dumps(rds))
    _login_works(account["user"]["email"])


def test_a_function_without_its_secret_refuses_to_start(
    deployed: Callable[..., dict[str, str]], aws: SecretsClient
) -> None:
    from mdcreator.core.aws_secrets import SecretUnavailable
    from mdcreator.core.config import get_settings

    arns = deployed()
    aws.delete_secret(SecretId=arns["DATABASE_URL_SECRET_ARN"], ForceDeleteWithoutRecovery=True)
    with pytest.raises(SecretUnavailable, match="cannot read secret"):
        get_settings()


def test_a_key_published_after_init_is_found_by_its_kid(
    deployed: Callable[..., dict[str, str]], aws: SecretsClient, account: dict[str, Any]
) -> None:
    from mdcreator.core import aws_secrets

    arns = deployed()
    tokens = _login_works(account["user"]["email"])
    assert me(tokens["access_token"]).status == 200
    # Rotation: a new pair is published and signs in another environment; this warm
    # verifier has never seen its kid.
    rotated = fresh_keys()
    new_ring = json.loads(rotated["JWT_PUBLIC_KEYS"])["keys"] + TEST_PUBLIC_JWKS["keys"]
    aws.put_secret_value(
        SecretId=arns["JWT_PUBLIC_KEYS_SECRET_ARN"], SecretString=json.dumps({"keys": new_ring})
    )
    from tests.support.forge import claims_of, sign_jwk

    token = sign_jwk(json.loads(rotated["JWT_PRIVATE_KEY"]), claims_of(tokens["access_token"]))
    assert me(token).status == 401  # fetched moments ago: no second fetch yet
    aws_secrets._fetched_at.clear()  # as if the last fetch were long ago
    assert me(token).status == 200


def _scram_cluster() -> PostgresServer:
    """A private Postgres that checks passwords over TCP (the machine's own trusts everyone)."""
    server = PostgresServer()
    (server.data / "pg_hba.conf").write_text(
        "local all all trust\n"
        "host all postgres 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    server.start()
    return server


def _admin(server: PostgresServer, statement: str) -> None:
    connection = psycopg2.connect(host="127.0.0.1", port=server.port, user="postgres")
    connection.autocommit = True
    with closing(connection), connection.cursor() as cursor:
        cursor.execute(statement)


def test_a_rotated_database_password_is_fetched_again_without_a_redeploy(
    deployed: Callable[..., dict[str, str]], aws: SecretsClient
) -> None:
    server = _scram_cluster()
    try:
        _admin(server, "CREATE ROLE app LOGIN PASSWORD 'first-password'")
        _admin(server, "CREATE DATABASE app OWNER app")
        url = f"postgresql+psycopg2://app:{{}}@127.0.0.1:{server.port}/app"
        migrate(url.format("first-password"))
        arns = deployed(database=url.format("first-password"))
        email = f"rotate-{uuid.uuid4().hex[:8]}@example.com"
        assert signup(email).status == 201
        _login_works(email)

        # Secrets Manager rotates: new password in Postgres and in the secret; the warm
        # function still holds the old one, and its connection is gone (failover, restart).
        _admin(server, "ALTER ROLE app PASSWORD 'second-password'")
        aws.put_secret_value(
            SecretId=arns["DATABASE_URL_SECRET_ARN"], SecretString=url.format("second-password")
        )
        _admin(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename='app'")
        from mdcreator.core import aws_secrets

        aws_secrets._fetched_at.clear()
        _login_works(email)
        assert signup(email).status == 409

        # A password that stays wrong is one fetch, then 503: no loop, no stampede.
        _admin(server, "ALTER ROLE app PASSWORD 'third-password'")
        _admin(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename='app'")
        aws_secrets._fetched_at.clear()
        assert login(email).status == 503
    finally:
        server.close()


def test_a_binary_secret_is_read_as_text(aws: SecretsClient) -> None:
    from mdcreator.core.aws_secrets import get_secret

    arn = aws.create_secret(Name=f"mdc-test/{uuid.uuid4().hex[:8]}", SecretBinary=b"rediss://x")[
        "ARN"
    ]
    assert get_secret(arn) == "rediss://x"


def test_a_removed_public_key_stops_being_trusted_within_the_cache_ttl(
    deployed: Callable[..., dict[str, str]], aws: SecretsClient, account: dict[str, Any]
) -> None:
    import time

    from tests.support.forge import claims_of, sign_jwk

    retired = fresh_keys()
    ring = json.loads(retired["JWT_PUBLIC_KEYS"])["keys"] + TEST_PUBLIC_JWKS["keys"]
    arns = deployed(SECRETS_CACHE_TTL_S="1")
    aws.put_secret_value(
        SecretId=arns["JWT_PUBLIC_KEYS_SECRET_ARN"], SecretString=json.dumps({"keys": ring})
    )
    reset_clients()
    tokens = _login_works(account["user"]["email"])
    # A token of the retired (or leaked) key, trusted while its public key is published.
    token = sign_jwk(json.loads(retired["JWT_PRIVATE_KEY"]), claims_of(tokens["access_token"]))
    assert me(token).status == 200
    aws.put_secret_value(
        SecretId=arns["JWT_PUBLIC_KEYS_SECRET_ARN"], SecretString=json.dumps(TEST_PUBLIC_JWKS)
    )
    time.sleep(1.2)
    assert me(token).status == 401  # the warm environment read the set again
    assert me(tokens["access_token"]).status == 200


def test_signers_take_a_new_private_key_within_the_cache_ttl(
    deployed: Callable[..., dict[str, str]], aws: SecretsClient, account: dict[str, Any]
) -> None:
    import time

    import jwt

    new = fresh_keys()
    ring = TEST_PUBLIC_JWKS["keys"] + json.loads(new["JWT_PUBLIC_KEYS"])["keys"]
    arns = deployed(SECRETS_CACHE_TTL_S="1")
    aws.put_secret_value(
        SecretId=arns["JWT_PUBLIC_KEYS_SECRET_ARN"], SecretString=json.dumps({"keys": ring})
    )
    reset_clients()
    before = _login_works(account["user"]["email"])["access_token"]
    aws.put_secret_value(
        SecretId=arns["JWT_PRIVATE_KEY_SECRET_ARN"], SecretString=new["JWT_PRIVATE_KEY"]
    )
    time.sleep(1.2)
    after = _login_works(account["user"]["email"])["access_token"]
    new_kid = json.loads(new["JWT_PUBLIC_KEYS"])["keys"][0]["kid"]
    assert jwt.get_unverified_header(before)["kid"] != new_kid
    assert jwt.get_unverified_header(after)["kid"] == new_kid


def test_a_snapstart_restore_reads_the_keys_again(
    deployed: Callable[..., dict[str, str]], aws: SecretsClient, account: dict[str, Any]
) -> None:
    import jwt

    from mdcreator.core import snapstart

    new = fresh_keys()
    ring = TEST_PUBLIC_JWKS["keys"] + json.loads(new["JWT_PUBLIC_KEYS"])["keys"]
    arns = deployed()  # the default TTL: a minute
    aws.put_secret_value(
        SecretId=arns["JWT_PUBLIC_KEYS_SECRET_ARN"], SecretString=json.dumps({"keys": ring})
    )
    reset_clients()
    _login_works(account["user"]["email"])
    # The snapshot may be days old when an environment is restored from it.
    snapstart.close_connections()
    aws.put_secret_value(
        SecretId=arns["JWT_PRIVATE_KEY_SECRET_ARN"], SecretString=new["JWT_PRIVATE_KEY"]
    )
    snapstart.open_connections()
    after = _login_works(account["user"]["email"])["access_token"]
    assert (
        jwt.get_unverified_header(after)["kid"]
        == json.loads(new["JWT_PUBLIC_KEYS"])["keys"][0]["kid"]
    )
