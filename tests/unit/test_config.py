import pytest
from pydantic import ValidationError

from mdcreator.config import Settings

REAL_SECRET = "k" * 48


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
    monkeypatch.setenv("BCRYPT_ROUNDS", "5")
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", REAL_SECRET)
    settings = Settings()
    assert (settings.bcrypt_rounds, settings.env) == (5, "production")
