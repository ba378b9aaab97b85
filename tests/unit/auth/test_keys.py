"""Key settings: what starts, what refuses to, and what the JWK Set may ever contain."""

import json
from collections.abc import Callable, Iterator

import pytest

from mdcreator.auth.keys import (
    UnusableKey,
    check_keys,
    generate_private_jwk,
    get_key_ring,
    parse_private_key,
    parse_public_keys,
    public_jwks_of,
    thumbprint,
)
from tests.support.clients import reset_clients
from tests.support.settings import PRODUCTION

# Every member a private JWK of any key type can carry (RFC 7518 §6.2.2, §6.3.2, §6.4).
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

Use = Callable[..., None]


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch) -> Iterator[Use]:
    def _use(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        reset_clients()

    yield _use
    monkeypatch.undo()
    reset_clients()


def _pair() -> tuple[str, str]:
    private = generate_private_jwk()
    return json.dumps(private), json.dumps(public_jwks_of(private))


def test_kid_is_the_rfc7638_thumbprint() -> None:
    # RFC 7638 §3.1's example shape, EC flavour: members in lexical order, no spaces.
    jwk = {"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}
    import base64
    import hashlib

    canonical = b'{"crv":"P-256","kty":"EC","x":"a","y":"b"}'
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=")
    assert thumbprint(jwk) == expected.decode()


@pytest.mark.parametrize(
    "text", ["", "change-me", "{}", "not json", '{"kty": "oct", "k": "c2VjcmV0"}']
)
def test_placeholder_or_malformed_private_keys_are_refused(text: str) -> None:
    with pytest.raises(UnusableKey, match="JWT_PRIVATE_KEY"):
        parse_private_key(text)


def test_a_public_key_cannot_sign() -> None:
    public = public_jwks_of(generate_private_jwk())["keys"][0]
    with pytest.raises(UnusableKey, match="must be a private key"):
        parse_private_key(json.dumps(public))


@pytest.mark.parametrize("text", ["", "{}", '{"keys": []}', "[]", '{"keys": [{"kty": "RSA"}]}'])
def test_empty_or_foreign_public_key_sets_are_refused(text: str) -> None:
    with pytest.raises(UnusableKey, match="JWT_PUBLIC_KEYS"):
        parse_public_keys(text)


def test_a_private_key_among_the_public_ones_refuses_the_whole_set() -> None:
    private = generate_private_jwk()
    ring = {"keys": [*public_jwks_of(generate_private_jwk())["keys"], private]}
    with pytest.raises(UnusableKey, match="holds a private key"):
        parse_public_keys(json.dumps(ring))


def test_published_set_never_carries_a_private_member() -> None:
    privates = [generate_private_jwk() for _ in range(3)]
    # Public JWKs that carry extra members, as hand-edited sets do: only ours go out.
    given = [
        {**public_jwks_of(private)["keys"][0], "x5u": "https://elsewhere", "note": "old"}
        for private in privates
    ]
    published = parse_public_keys(json.dumps({"keys": given})).public_jwks()
    assert len(published["keys"]) == 3
    for jwk in published["keys"]:
        assert set(jwk) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
        assert not PRIVATE_MEMBERS & set(jwk)
    for private in privates:
        assert private["d"] not in json.dumps(published)


def test_signer_refuses_to_start_when_its_public_key_is_not_published(use: Use) -> None:
    private, _ = _pair()
    _, other_public = _pair()
    use(JWT_PRIVATE_KEY=private, JWT_PUBLIC_KEYS=other_public)
    with pytest.raises(UnusableKey, match="lacks the public key"):
        check_keys(signs=True)


def test_signer_starts_with_its_pair(use: Use) -> None:
    private, public = _pair()
    use(JWT_PRIVATE_KEY=private, JWT_PUBLIC_KEYS=public)
    check_keys(signs=True)
    assert len(get_key_ring().keys) == 1


def test_verifier_refuses_a_private_key_outside_development(use: Use) -> None:
    private, public = _pair()
    use(**PRODUCTION, JWT_PRIVATE_KEY=private, JWT_PUBLIC_KEYS=public)
    with pytest.raises(UnusableKey, match="only verifies"):
        check_keys(signs=False)


def test_verifier_without_keys_refuses_to_start(use: Use) -> None:
    use(JWT_PUBLIC_KEYS="")
    with pytest.raises(UnusableKey, match="JWT_PUBLIC_KEYS is missing"):
        check_keys(signs=False)
