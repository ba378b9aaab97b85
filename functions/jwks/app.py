"""GET /.well-known/jwks.json - the public keys that verify our tokens (RFC 7517 JWK Set).

Other services (API Gateway's JWT authorizer, the documents API) verify with these and can
mint nothing: no private key reaches this function.
"""

from fastapi import Response
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.auth.keys import get_key_ring
from mdcreator.auth.schemas import JwkSet
from mdcreator.http.app import create_app

# Verifiers fetch again on an unknown kid; a rotation publishes a key well before it signs.
CACHE_CONTROL = "public, max-age=300"

app = create_app("jwks", keys.verifies_tokens)


@app.get(
    "/.well-known/jwks.json",
    operation_id="getJwks",
    tags=["keys"],
    summary="Public signing keys (JWK Set)",
    response_model=JwkSet,
)
async def jwks(response: Response) -> JwkSet:
    response.headers["Cache-Control"] = CACHE_CONTROL
    return JwkSet.model_validate(get_key_ring().public_jwks())


handler = Mangum(app, lifespan="off")
