import pytest
from pydantic import ValidationError

from mdcreator.auth.schemas import UserCreate, UserLogin


def test_email_is_normalised_to_lower_case() -> None:
    user = UserCreate(email="  Ada.Lovelace@Example.COM ", password="12345678")
    assert user.email == "ada.lovelace@example.com"


@pytest.mark.parametrize("password", ["1234567", "a" * 73, "é" * 37, "x\x00yyyyyyy"])
def test_new_passwords_must_be_8_to_72_utf8_bytes_without_nul(password: str) -> None:
    with pytest.raises(ValidationError):
        UserCreate(email="a@example.com", password=password)


@pytest.mark.parametrize("password", ["🔑🔑🔑🔑", "🔑" * 7, "ﷺ" * 3])
def test_new_passwords_count_characters_after_nfkc_and_bytes_of_that_form(password: str) -> None:
    # 4 keys are 16 bytes but 4 characters; U+FDFA is 3 bytes that NFKC turns into 33.
    with pytest.raises(ValidationError):
        UserCreate(email="a@example.com", password=password)


@pytest.mark.parametrize("password", ["12345678", "a" * 72, "é" * 36, "🔑" * 18, "🔑" * 8])
def test_passwords_within_limits_are_accepted_unchanged(password: str) -> None:
    assert UserCreate(email="a@example.com", password=password).password == password


def test_login_accepts_short_legacy_passwords_but_not_long_ones() -> None:
    assert UserLogin(email="a@example.com", password="x").password == "x"
    with pytest.raises(ValidationError):
        UserLogin(email="a@example.com", password="a" * 73)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        UserCreate.model_validate({"email": "a@example.com", "password": "12345678", "admin": True})
