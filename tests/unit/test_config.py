import pytest
from pydantic import ValidationError

from mdcreator.config import Settings

REAL_SECRET = "k" * 48


@pytest.fixture(autouse=True)
def _no_test_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite's own environment (ENV=test, fast bcrypt) must not decide these stories.
    for name in ("ENV", "BCRYPT_ROUNDS", "JWT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("secret", ["change-me", "", "secret", "short-but-not-placeholder"])
def test_production_refuses_placeholder_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET_KEY"):
        Settings(env="production", jwt_secret_key=secret)


def test_production_accepts_a_real_secret() -> None:
    assert Settings(env="production", jwt_secret_key=REAL_SECRET).env == "production"


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_and_test_allow_the_placeholder(env: str) -> None:
    assert Settings(env=env, jwt_secret_key="change-me").env == env


def test_secret_is_hidden_from_repr() -> None:
    settings = Settings(env="production", jwt_secret_key=REAL_SECRET)
    assert REAL_SECRET not in repr(settings)
    assert REAL_SECRET not in str(settings.model_dump())


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BCRYPT_ROUNDS", "11")
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", REAL_SECRET)
    settings = Settings()
    assert (settings.bcrypt_rounds, settings.env) == (11, "production")


def test_settings_default_to_production() -> None:
    assert Settings(jwt_secret_key=REAL_SECRET).env == "production"


def test_production_without_a_secret_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET_KEY"):
        Settings()


@pytest.mark.parametrize("rounds", [4, 9])
def test_production_refuses_weak_bcrypt_rounds(rounds: int) -> None:
    with pytest.raises(ValidationError, match="BCRYPT_ROUNDS must be at least 10"):
        Settings(env="production", jwt_secret_key=REAL_SECRET, bcrypt_rounds=rounds)


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_and_test_allow_fast_bcrypt(env: str) -> None:
    assert Settings(env=env, bcrypt_rounds=4).bcrypt_rounds == 4
