import pytest

from mdcreator.security import hash_password, verify_dummy_password, verify_password


def test_hash_then_verify_round_trip() -> None:
    hashed = hash_password("correct-horse-battery")
    assert hashed.startswith("$2b$04$")
    assert verify_password("correct-horse-battery", hashed)
    assert not verify_password("correct-horse-batterx", hashed)


def test_hashes_are_salted() -> None:
    assert hash_password("same-password") != hash_password("same-password")


def test_72_byte_boundary_is_not_truncated_silently() -> None:
    hashed = hash_password("a" * 72)
    assert not verify_password("a" * 71, hashed)
    with pytest.raises(ValueError):
        verify_password("a" * 73, hashed)


def test_dummy_check_accepts_any_password_without_error() -> None:
    verify_dummy_password("anything at all")
    verify_dummy_password("🔑" * 18)
