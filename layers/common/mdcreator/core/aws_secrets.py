"""Secret settings fetched from AWS Secrets Manager at init, never carried in the environment.

A deployed function gets `<SETTING>_SECRET_ARN` (an ARN, not a value) and IAM permission to
read exactly that secret; the value is fetched at init (before the SnapStart snapshot) and
cached. Readers that must see a removal in time (the signing keys) ask with a maximum age:
older values are fetched again, and after a restore every value counts as old. While
Secrets Manager does not answer, the last value stays, asked again at most every
REFETCH_INTERVAL_S. Locally no ARN is set and the setting itself comes from the environment
as before.

boto3 is part of the Lambda runtime and imported only when an ARN is set: functions that run
locally, in tests or without secrets never pay its import.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Any
from urllib.parse import quote

# Setting → the setting that holds its secret's ARN.
SECRET_ARNS = {
    "database_url": "database_url_secret_arn",
    "jwt_private_key": "jwt_private_key_secret_arn",
    "jwt_public_keys": "jwt_public_keys_secret_arn",
    "smtp_url": "smtp_url_secret_arn",
}
# A rotation never costs more than one fetch per environment per this many seconds.
REFETCH_INTERVAL_S = 10.0

_values: dict[str, str] = {}
_fetched_at: dict[str, float] = {}  # the last attempt to fetch, whether it succeeded or not
_read_at: dict[str, float] = {}  # how old the value is, for readers with a maximum age


class SecretUnavailable(RuntimeError):
    """Secrets Manager did not answer with the secret."""


@lru_cache
def _client() -> Any:
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    # Short timeouts: a missing VPC endpoint fails init in seconds, not at the Lambda timeout.
    config = Config(connect_timeout=2, read_timeout=2, retries={"max_attempts": 2})
    return boto3.client("secretsmanager", config=config)


def forget_client() -> None:
    """Drop the client (its connections and credentials), e.g. before a SnapStart snapshot."""
    _client.cache_clear()


def get_secret(arn: str, max_age_s: float | None = None) -> str:
    """The secret's value, fetched once, or again when it is older than `max_age_s`."""
    if arn in _values and max_age_s is not None:
        if time.monotonic() - _read_at.get(arn, float("-inf")) >= max_age_s:
            _refresh_stale(arn, max_age_s)
    if arn not in _values:
        try:
            answer = _client().get_secret_value(SecretId=arn)
        except Exception as exc:  # botocore's errors, whatever went wrong on the way
            raise SecretUnavailable(f"cannot read secret {arn}: {type(exc).__name__}") from exc
        # Secrets made from a file may come as SecretBinary; settings are text either way.
        value = answer.get("SecretString")
        _values[arn] = value if value is not None else bytes(answer["SecretBinary"]).decode()
        _fetched_at[arn] = _read_at[arn] = time.monotonic()
    return _values[arn]


def _refresh_stale(arn: str, max_age_s: float) -> None:
    old = _values.pop(arn)
    try:
        get_secret(arn)
    except SecretUnavailable:
        # The last value stays; the next attempt comes REFETCH_INTERVAL_S from now.
        _values[arn] = old
        _fetched_at[arn] = time.monotonic()
        _read_at[arn] = time.monotonic() - max_age_s + REFETCH_INTERVAL_S


def expire_cached() -> None:
    """After a SnapStart restore: the values may be as old as the snapshot."""
    _read_at.clear()


def refetch(arn: str) -> bool:
    """Fetch the secret again unless that happened moments ago; True if the value changed."""
    if time.monotonic() - _fetched_at.get(arn, 0.0) < REFETCH_INTERVAL_S:
        return False
    # The attempt counts, failed or not: an outage must not turn every unknown kid into a
    # fetch; and the value fetched before stays until a new one arrives.
    _fetched_at[arn] = time.monotonic()
    old = _values.pop(arn, None)
    try:
        return get_secret(arn) != old
    except SecretUnavailable:
        if old is not None:
            _values[arn] = old
        raise


def as_database_url(value: str) -> str:
    """A URL as it is, or the JSON that RDS and Secrets Manager's rotation keep, as a URL."""
    if not value.lstrip().startswith("{"):
        return value
    secret = json.loads(value)
    user, password = quote(secret["username"], safe=""), quote(secret["password"], safe="")
    location = f"{secret['host']}:{secret.get('port', 5432)}/{secret.get('dbname', 'postgres')}"
    return f"postgresql+psycopg2://{user}:{password}@{location}"


def secret_values(arns: dict[str, str]) -> dict[str, str]:
    """The value of every setting whose ARN is set, by setting name."""
    values = {name: get_secret(arn) for name, arn in arns.items() if arn}
    if "database_url" in values:
        values["database_url"] = as_database_url(values["database_url"])
    return values
