"""Token signing keys: ES256 (P-256) JSON Web Keys, `kid` = RFC 7638 thumbprint.

JWT_PRIVATE_KEY is one private JWK: the current signing key, given only to the functions
that mint tokens. JWT_PUBLIC_KEYS is a JWK Set of public keys (the current key and the
previous ones still within an access token's lifetime): every function verifies against it
and /.well-known/jwks.json publishes it. Rotation adds the new public key to the set before
the private key changes, and drops the old one once tokens it signed have expired
(ACCESS_TOKEN_EXPIRE_MINUTES; refresh JWTs of the previous release, REFRESH_TOKEN_EXPIRE_DAYS):
nobody is logged out. From Secrets Manager both are read again after SECRETS_CACHE_TTL_S and
after a SnapStart restore: a key removed from the secret is distrusted within that time.

    python -m mdcreator.auth.keys            # print a new private JWK and its public JWK Set
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from ..core import aws_secrets
from ..core.config import LAX_ENVS, get_settings

ALGORITHM = "ES256"
CURVE = "P-256"
# The members of a public EC JWK; anything else (d above all) is never published.
PUBLIC_MEMBERS = ("kty", "crv", "x", "y")
PLACEHOLDER_KEYS = frozenset({"", "change-me", "changeme", "{}"})


class UnusableKey(ValueError):
    """A key setting is missing, a placeholder, malformed or of the wrong kind."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class KeyRing:
    """Public keys by kid: a token's `kid` header selects among these and nothing else."""

    keys: dict[str, ec.EllipticCurvePublicKey]

    def get(self, kid: object) -> ec.EllipticCurvePublicKey | None:
        return self.keys.get(kid) if isinstance(kid, str) else None

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [public_jwk(key) for key in self.keys.values()]}


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """A JWK rebuilt from the public numbers alone: no private member can come along."""
    members = ECAlgorithm.to_jwk(key, as_dict=True)
    jwk = {name: str(members[name]) for name in PUBLIC_MEMBERS}
    return {**jwk, "kid": thumbprint(jwk), "use": "sig", "alg": ALGORITHM}


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members in lexical order, base64url."""
    canonical = json.dumps(
        {name: jwk[name] for name in sorted(PUBLIC_MEMBERS)}, separators=(",", ":")
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _load_jwk(
    document: Any, setting: str
) -> ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey:
    if (
        not isinstance(document, dict)
        or document.get("kty") != "EC"
        or document.get("crv") != CURVE
    ):
        raise UnusableKey(f"{setting} must hold EC {CURVE} keys (ES256)")
    try:
        key = ECAlgorithm.from_jwk(document)
    except Exception as exc:  # pyjwt raises several kinds for a malformed key
        raise UnusableKey(f"{setting} holds a malformed key") from exc
    assert isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey)
    return key


def _parse_json(text: str, setting: str) -> Any:
    if text.strip() in PLACEHOLDER_KEYS:
        raise UnusableKey(
            f"{setting} is missing: generate keys with `python -m mdcreator.auth.keys`"
        )
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UnusableKey(f"{setting} is not JSON (a JWK)") from exc


def parse_private_key(text: str) -> SigningKey:
    key = _load_jwk(_parse_json(text, "JWT_PRIVATE_KEY"), "JWT_PRIVATE_KEY")
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise UnusableKey("JWT_PRIVATE_KEY must be a private key (with its d member)")
    return SigningKey(kid=public_jwk(key.public_key())["kid"], key=key)


def parse_public_keys(text: str) -> KeyRing:
    document = _parse_json(text, "JWT_PUBLIC_KEYS")
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UnusableKey('JWT_PUBLIC_KEYS must be a JWK Set: {"keys": [...]}, at least one key')
    keys: dict[str, ec.EllipticCurvePublicKey] = {}
    for entry in entries:
        key = _load_jwk(entry, "JWT_PUBLIC_KEYS")
        if isinstance(key, ec.EllipticCurvePrivateKey):
            # It would be published: refuse the whole set rather than strip it silently.
            raise UnusableKey("JWT_PUBLIC_KEYS holds a private key: give public keys only")
        keys[public_jwk(key)["kid"]] = key
    return KeyRing(keys)


def _secret_setting(value: str, arn: str) -> str:
    """A key setting as it is now: from Secrets Manager, at most SECRETS_CACHE_TTL_S old,
    where an ARN is set; else the environment's value."""
    if not arn:
        return value
    return aws_secrets.get_secret(arn, get_settings().secrets_cache_ttl_s)


@lru_cache(maxsize=4)
def _ring_of(text: str) -> KeyRing:
    return parse_public_keys(text)


def get_key_ring() -> KeyRing:
    settings = get_settings()
    return _ring_of(_secret_setting(settings.jwt_public_keys, settings.jwt_public_keys_secret_arn))


def find_key(kid: object) -> ec.EllipticCurvePublicKey | None:
    """Our public key with this kid, or None.

    A kid we do not know may be a key published after this environment fetched the set
    (a rotation in progress): a fetched set is read once more, at most every few seconds.
    """
    key = get_key_ring().get(kid)
    arn = get_settings().jwt_public_keys_secret_arn
    if key is not None or not isinstance(kid, str) or not arn:
        return key
    try:
        if not aws_secrets.refetch(arn):
            return None
    except aws_secrets.SecretUnavailable:
        return None
    get_settings.cache_clear()
    return get_key_ring().get(kid)


@lru_cache(maxsize=4)
def _signing_of(text: str) -> SigningKey:
    return parse_private_key(text)


def get_signing_key() -> SigningKey:
    settings = get_settings()
    text = _secret_setting(
        settings.jwt_private_key.get_secret_value(), settings.jwt_private_key_secret_arn
    )
    signing = _signing_of(text)
    if get_key_ring().get(signing.kid) is None:
        # Verifiers would refuse every token it signs: publish the public key first.
        raise UnusableKey(
            f"JWT_PUBLIC_KEYS lacks the public key of JWT_PRIVATE_KEY ({signing.kid})"
        )
    return signing


def forget_keys() -> None:
    """Drop the parsed keys (tests switching keys as a new process would)."""
    _ring_of.cache_clear()
    _signing_of.cache_clear()


def check_keys(*, signs: bool) -> None:
    """At init: refuse to start with missing or unusable keys, or a private key in a verifier."""
    get_key_ring()
    if signs:
        get_signing_key()
        return
    settings = get_settings()
    if settings.env not in LAX_ENVS and settings.jwt_private_key.get_secret_value():
        raise UnusableKey("JWT_PRIVATE_KEY is given to a function that only verifies tokens")


def signs_tokens() -> None:
    """create_app check of a function that mints tokens."""
    check_keys(signs=True)


def verifies_tokens() -> None:
    """create_app check of a function that only verifies tokens: it holds no private key."""
    check_keys(signs=False)


def generate_private_jwk() -> dict[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    members = ECAlgorithm.to_jwk(key, as_dict=True)
    return {name: str(value) for name, value in members.items()}


def public_jwks_of(private_jwk: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    return KeyRing({"": parse_private_key(json.dumps(private_jwk)).key.public_key()}).public_jwks()


def main() -> int:
    # Compact JSON: one line each, no spaces, so dotenv files and shells keep it whole.
    private = generate_private_jwk()
    for name, value in (("JWT_PRIVATE_KEY", private), ("JWT_PUBLIC_KEYS", public_jwks_of(private))):
        sys.stdout.write(f"{name}={json.dumps(value, separators=(',', ':'))}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
