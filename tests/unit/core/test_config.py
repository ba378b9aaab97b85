import pytest
from pydantic import ValidationError

from mdcreator.core.config import Settings

PRODUCTION_SPA = "https://app.example.com"


@pytest.fixture(autouse=True)
def _no_test_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite's own environment (ENV=test, fast bcrypt) must not decide these stories; the
    # SPA's address is a production one, which production needs (see below).
    for name in ("ENV", "BCRYPT_ROUNDS", "JWT_PRIVATE_KEY", "JWT_PUBLIC_KEYS", "SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_URL", PRODUCTION_SPA)
    monkeypatch.setenv("CORS_ORIGINS", PRODUCTION_SPA)


def test_settings_default_to_production() -> None:
    assert Settings().env == "production"


@pytest.mark.parametrize("setting", ["app_url", "cors_origins"])
@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:5173",  # the development default
        "http://app.example.com",
        "https://localhost:5173",
        "https://dev.localhost",
        "https://127.0.0.1",
        "https://[::1]:8443",
    ],
)
def test_production_refuses_links_and_origins_that_are_not_public_https(
    setting: str, url: str
) -> None:
    # Mailed links would carry their tokens to the user's own machine, and a page there
    # could use the refresh cookie.
    with pytest.raises(ValidationError, match="must be https on a public host"):
        Settings(**{setting: url})
    assert Settings(env="development", **{setting: url})


def test_production_takes_public_https_links_and_origins() -> None:
    settings = Settings(app_url="https://app.example.com/", cors_origins="https://app.example.com")
    assert settings.spa_origins() == {"https://app.example.com"}


@pytest.mark.parametrize("rounds", [4, 9])
def test_production_refuses_weak_bcrypt_rounds(rounds: int) -> None:
    with pytest.raises(ValidationError, match="BCRYPT_ROUNDS must be at least 10"):
        Settings(env="production", bcrypt_rounds=rounds)


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_and_test_allow_fast_bcrypt(env: str) -> None:
    assert Settings(env=env, bcrypt_rounds=4).bcrypt_rounds == 4


def test_private_key_is_hidden_from_repr() -> None:
    settings = Settings(jwt_private_key='{"d": "very-private"}')
    assert "very-private" not in repr(settings)
    assert "very-private" not in str(settings.model_dump())


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BCRYPT_ROUNDS", "11")
    monkeypatch.setenv("ENV", "production")
    settings = Settings()
    assert (settings.bcrypt_rounds, settings.env) == (11, "production")


@pytest.mark.parametrize(
    "origins",
    ["*", "http://localhost:5173/", "https://app.example.com/login", "localhost:5173", "null"],
)
def test_cors_origins_must_be_origins(origins: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(env="test", cors_origins=f"http://localhost:5173,{origins}")


def test_cors_origins_are_a_comma_separated_list() -> None:
    settings = Settings(env="test", cors_origins="https://app.example.com, http://localhost:5173")
    assert settings.spa_origins() == {"https://app.example.com", "http://localhost:5173"}


@pytest.mark.parametrize(
    ("given", "kept"), [("lax", "Lax"), ("NONE", "None"), ("Strict", "Strict")]
)
def test_cookie_samesite_in_any_case(given: str, kept: str) -> None:
    assert Settings(cookie_samesite=given).cookie_samesite == kept


def test_cookie_samesite_refuses_other_values() -> None:
    with pytest.raises(ValidationError):
        Settings(cookie_samesite="sometimes")


@pytest.mark.parametrize(
    "url",
    [
        "smtp://user:pass@smtp.example.com:587",
        "smtp://smtp.example.com:25?starttls=false",
        "SMTP://smtp.example.com",
    ],
)
def test_production_refuses_a_relay_without_tls(url: str) -> None:
    # The relay's password and every mailed link would cross the network in the clear.
    with pytest.raises(ValidationError, match="SMTP_URL must use TLS"):
        Settings(smtp_url=url)
    assert Settings(env="development", smtp_url=url)


@pytest.mark.parametrize(
    "url",
    ["smtps://user:pass@smtp.example.com", "smtp://user:pass@smtp.example.com:587?starttls=true"],
)
def test_production_takes_a_relay_with_tls(url: str) -> None:
    assert Settings(smtp_url=url).smtp_url.get_secret_value() == url
