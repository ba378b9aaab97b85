"""Schemathesis against the API's own /openapi.json: no 5xx, every answer as documented.

Schemathesis' pytest plugin does not load under pytest 9, so each operation (read from the
committed document, checked fresh against the served one) runs through Hypothesis directly.
"""

from __future__ import annotations

import json
import os
import uuid

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from tests.support.http import PASSWORD
from tests.support.paths import ROOT

# A seeded, bounded run in `make test`; `make stress` raises it (SCHEMATHESIS_MAX_EXAMPLES).
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
DOCUMENT = json.loads((ROOT / "functions" / "docs" / "openapi.json").read_text())
OPERATIONS = [(method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item]
BODY_OPERATIONS = [
    (method, path)
    for method, path in OPERATIONS
    if "requestBody" in DOCUMENT["paths"][path][method.lower()]
]
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
# Every other check stays on. This one is off because the server validates more than JSON
# Schema can say: password limits are UTF-8 bytes (schemas count characters), reserved email
# domains (.test) and NUL characters are refused with a 422.
EXCLUDED_CHECKS = [positive_data_acceptance]


@pytest.fixture(scope="session")
def api_schema(base_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


@pytest.fixture(scope="session")
def fuzz_user(api: httpx.Client) -> str:
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    answer = api.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 201
    return email


def test_served_document_is_the_committed_one(api: httpx.Client) -> None:
    assert api.get("/openapi.json").json() == DOCUMENT


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms(
    api_schema: schemathesis.BaseSchema, api: httpx.Client, fuzz_user: str, method: str, path: str
) -> None:
    operation = api_schema[path][method]
    secured = bool(operation.definition.raw.get("security"))

    @given(case=operation.as_strategy())
    @SETTINGS
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=_auth(api, fuzz_user, secured), excluded_checks=EXCLUDED_CHECKS
        )

    check()


def _auth(api: httpx.Client, email: str, secured: bool) -> dict[str, str]:
    if not secured:
        return {}
    # Each case gets its own session: a fuzzed logout spoils no other case.
    login = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _spliced(body: object, at: int, junk: bytes) -> bytes:
    """A generated JSON body with raw bytes spliced in: JSON-looking, but not UTF-8."""
    try:
        text = json.dumps(body).encode()
    except TypeError:  # an optional body the case left out
        text = b"{}"
    cut = at % (len(text) + 1)
    return text[:cut] + junk + text[cut:]


RAW_BODIES = st.one_of(
    st.binary(min_size=1, max_size=300),
    st.tuples(
        st.integers(0, 10_000),
        st.binary(min_size=1, max_size=4).filter(lambda junk: not _is_utf8(junk)),
    ),
)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(
    ("method", "path"), BODY_OPERATIONS, ids=[f"{m} {p}" for m, p in BODY_OPERATIONS]
)
@pytest.mark.usefixtures("non_utf8_bodies_reach_the_function")
def test_operation_answers_raw_bytes_as_documented(
    api_schema: schemathesis.BaseSchema, api: httpx.Client, fuzz_user: str, method: str, path: str
) -> None:
    """Bodies a JSON generator never makes: random bytes, and generated JSON made invalid UTF-8."""
    operation = api_schema[path][method]
    secured = bool(operation.definition.raw.get("security"))

    @given(case=operation.as_strategy(), raw=RAW_BODIES)
    @SETTINGS
    def check(case: schemathesis.Case, raw: bytes | tuple[int, bytes]) -> None:
        case.body = raw if isinstance(raw, bytes) else _spliced(case.body, *raw)
        case.media_type = "application/json"
        case.call_and_validate(
            headers=_auth(api, fuzz_user, secured), excluded_checks=EXCLUDED_CHECKS
        )

    check()
