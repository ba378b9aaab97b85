"""tools.web: the reference page's server (the browser test drives the page itself)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tools.web import ROOT, WEB, serve_in_background

API = "http://localhost:3999"


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    server = serve_in_background("127.0.0.1", 0, API)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "path",
    ["/", "/verify-email?token=abc", "/confirm-email", "/reset-password", "/invitation?token=a"],
)
def test_page_routes_answer_the_page_naming_the_api(web: str, path: str) -> None:
    answer = httpx.get(web + path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert f'<meta name="mdc-api" content="{API}">' in answer.text


def test_scripts_come_from_the_page_only_and_connections_go_to_the_api_only(web: str) -> None:
    headers = httpx.get(web + "/").headers
    policy = dict(
        part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == API
    assert policy["default-src"] == "'none'"
    # The mail links carry one-time tokens in their query: no Referer may repeat them.
    assert headers["referrer-policy"] == "no-referrer"


def test_the_module_is_javascript_and_nothing_else_is_served(web: str) -> None:
    module = httpx.get(web + "/app.js")
    assert module.headers["content-type"].startswith("text/javascript")
    assert "X-Refresh-Token-Mode" in module.text
    assert httpx.get(web + "/../README.md").status_code == 404
    assert httpx.get(web + "/index.html.bak").status_code == 404


def test_the_operations_the_page_calls_are_the_documents() -> None:
    module = (WEB / "app.js").read_text()
    table = re.search(r"const OPERATIONS = \{\n(.*?)\n\};", module, re.DOTALL)
    assert table, "web/app.js has no OPERATIONS table"
    calls = re.findall(r'^  (\w+): \["([A-Z]+)", "([^"]+)"\],$', table[1], re.MULTILINE)
    assert len(calls) == len(table[1].splitlines())
    document = json.loads((ROOT / "functions" / "docs" / "openapi.json").read_text())
    operations = {
        operation["operationId"]: (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    for operation_id, method, path in calls:
        assert operations.get(operation_id) == (method, path), operation_id
