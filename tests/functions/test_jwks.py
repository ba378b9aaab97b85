import json
from typing import Any

import jwt

from tests.support.lambda_events import invoke, load_event

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def test_jwks_publishes_the_public_keys_only() -> None:
    answer = invoke("jwks", load_event("jwks"))
    assert answer.status == 200
    assert answer.headers["cache-control"] == "public, max-age=300"
    keys = answer.body["keys"]
    assert keys and all(not PRIVATE_MEMBERS & set(jwk) for jwk in keys)
    assert [jwk["kid"] for jwk in keys] == [
        jwk["kid"] for jwk in json.loads(__import__("os").environ["JWT_PUBLIC_KEYS"])["keys"]
    ]


def test_another_service_verifies_our_tokens_with_the_published_set(
    account: dict[str, Any],
) -> None:
    # What API Gateway's JWT authorizer or the documents API does: kid → key → verify.
    published = jwt.PyJWKSet.from_dict(invoke("jwks", load_event("jwks")).body)
    token = account["access_token"]
    key = published[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key, algorithms=["ES256"], audience="mdcreator-spa")
    assert claims["sub"] == account["user"]["id"]
