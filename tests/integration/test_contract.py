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
from schemathesis.checks import positive_data_acceptance

from tests.conftest import ROOT
from tests.integration.conftest import PASSWORD

# A seeded, bounded run in `make test`; `make stress` raises it (SCHEMATHESIS_MAX_EXAMPLES).
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
DOCUMENT = json.loads((ROOT / "functions" / "docs" / "openapi.json").read_text())
OPERATIONS = [(method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item]


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
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        headers = {}
        if secured:
            # Each case gets its own session: a fuzzed logout spoils no other case.
            login = api.post("/api/auth/login", json={"email": fuzz_user, "password": PASSWORD})
            headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        # Every other check stays on. This one is off because the server validates more than
        # JSON Schema can say: password limits are UTF-8 bytes (schemas count characters),
        # reserved email domains (.test) and NUL characters are refused with a 422.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()
