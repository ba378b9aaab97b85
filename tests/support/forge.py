"""Tokens a test signs itself: with the run's own key (to vary claims) or with others."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from mdcreator.auth.keys import parse_private_key


def run_signing_key() -> tuple[str, ec.EllipticCurvePrivateKey]:
    from tests.support.settings import TEST_PRIVATE_JWK

    signing = parse_private_key(json.dumps(TEST_PRIVATE_JWK))
    return signing.kid, signing.key


def claims_of(token: str, **changes: Any) -> dict[str, Any]:
    """The token's claims with changes; a change to None drops the claim."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _typ(claims: dict[str, Any]) -> dict[str, str]:
    """The JOSE typ we give such claims: at+jwt for an access token; a refresh token's claims
    get pyjwt's JWT, as the previous release signed them."""
    return {"typ": "at+jwt"} if claims.get("typ") == "access" else {}


def sign(claims: dict[str, Any], **header: Any) -> str:
    """ES256 with the run's own key and kid: only what the test changed is wrong."""
    kid, key = run_signing_key()
    headers = {"kid": kid, **_typ(claims), **header}
    return jwt.encode(claims, key, algorithm="ES256", headers=headers)


def sign_with_other_key(claims: dict[str, Any], *, same_kid: bool = True) -> str:
    """A valid ES256 signature by a key that is not ours, claiming our kid (or its own)."""
    kid, _ = run_signing_key()
    other = ec.generate_private_key(ec.SECP256R1())
    headers = {"kid": kid} if same_kid else {}
    return jwt.encode(claims, other, algorithm="ES256", headers={**headers, **_typ(claims)})


def swap_payload(token: str, **changes: Any) -> str:
    """The original header and signature around a changed payload (a tampered token)."""
    header, _, signature = token.split(".")
    payload = jwt.utils.base64url_encode(
        json.dumps(claims_of(token, **changes), separators=(",", ":")).encode()
    ).decode()
    return f"{header}.{payload}.{signature}"


def public_key_as_hmac_secret(claims: dict[str, Any], *, pem: bool = False) -> str:
    """Algorithm confusion: HS256 keyed with our published public key (its JWK or PEM).

    Signed by hand: pyjwt itself refuses such keys for HMAC.
    """
    from cryptography.hazmat.primitives import serialization

    from tests.support.settings import TEST_PUBLIC_JWKS

    kid, key = run_signing_key()
    secret = (
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if pem
        else json.dumps(TEST_PUBLIC_JWKS["keys"][0]).encode()
    )

    def part(document: dict[str, Any]) -> str:
        return jwt.utils.base64url_encode(json.dumps(document).encode()).decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{part(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{jwt.utils.base64url_encode(mac).decode()}"


def sign_with_embedded_key(claims: dict[str, Any]) -> str:
    """Signed by an attacker's key that the header itself offers (jwk, jku, its own kid)."""
    from mdcreator.auth.keys import public_jwk

    other = ec.generate_private_key(ec.SECP256R1())
    offered = public_jwk(other.public_key())
    headers = {"kid": offered["kid"], "jwk": offered, "jku": "https://attacker.example/jwks"}
    return jwt.encode(claims, other, algorithm="ES256", headers={**headers, **_typ(claims)})


def sign_jwk(private_jwk: dict[str, str], claims: dict[str, Any]) -> str:
    """ES256 with the given private JWK and its kid (another deployment's key, a rotation)."""
    signing = parse_private_key(json.dumps(private_jwk))
    headers = {"kid": signing.kid, **_typ(claims)}
    return jwt.encode(claims, signing.key, algorithm="ES256", headers=headers)
