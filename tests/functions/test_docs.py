import re
import subprocess
import sys
from typing import Any

import pytest

from tests.support.lambda_events import http_event, invoke, load_event
from tests.support.paths import ROOT
from tools.template import functions

API_OPERATIONS = {
    (path, method.lower())
    for spec in functions().values()
    if spec.name != "docs"
    for method, path in spec.routes
}


def test_openapi_document_covers_every_function() -> None:
    answer = invoke("docs", load_event("docs"))
    assert answer.status == 200
    operations = {(path, method) for path, item in answer.body["paths"].items() for method in item}
    assert operations == API_OPERATIONS


def test_openapi_documents_error_answers() -> None:
    paths = invoke("docs", load_event("docs")).body["paths"]
    assert {"201", "409", "422", "503"} <= set(paths["/api/auth/signup"]["post"]["responses"])
    assert {"200", "401", "503"} <= set(paths["/api/auth/me"]["get"]["responses"])


# camelCase: a lower-case word, then capitalised ones (`refreshSession`, `getJwks`).
CAMEL_CASE = re.compile(r"[a-z]+(?:[A-Z][a-z0-9]*)*")
# FastAPI's generated id: the function's name, the path and the method, joined by `_`.
FASTAPI_DEFAULT_ID = re.compile(r".*_(?:get|put|post|delete|options|head|patch|trace)")


def _operations() -> list[dict[str, Any]]:
    paths = invoke("docs", load_event("docs")).body["paths"]
    return [operation for item in paths.values() for operation in item.values()]


def test_every_operation_has_one_tag_the_document_describes() -> None:
    document = invoke("docs", load_event("docs")).body
    described = [tag["name"] for tag in document["tags"]]
    assert all(tag.get("description") for tag in document["tags"])
    used = set()
    for operation in _operations():
        assert len(operation.get("tags", [])) == 1, operation["summary"]
        used.update(operation["tags"])
    assert used == set(described), "a tag without a description, or a description unused"
    assert len(described) == len(set(described))


def test_every_operation_id_is_camel_case_unique_and_declared_at_its_route() -> None:
    ids = [operation["operationId"] for operation in _operations()]
    for operation_id in ids:
        assert CAMEL_CASE.fullmatch(operation_id), operation_id
        assert not FASTAPI_DEFAULT_ID.fullmatch(operation_id), operation_id
    assert len(ids) == len(set(ids)), sorted(ids)


def test_committed_openapi_document_is_fresh() -> None:
    check = subprocess.run(
        [sys.executable, "scripts/build_openapi.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_docs_page_is_swagger_ui_pointing_at_the_document() -> None:
    answer = invoke("docs", http_event("GET", "/docs"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "SwaggerUIBundle" in answer.body
    assert 'url: "/openapi.json"' in answer.body


def test_redoc_page_renders_the_same_document() -> None:
    answer = invoke("docs", http_event("GET", "/redoc"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<redoc spec-url="/openapi.json">' in answer.body


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_only_pinned_assets_with_integrity(path: str) -> None:
    page = invoke("docs", http_event("GET", path)).body
    tags = re.findall(r"<(?:script|link)\b[^>]*>", page)
    external = [tag for tag in tags if re.search(r'(?:src|href)="https?://', tag)]
    assert external, page
    for tag in external:
        url = re.search(r'(?:src|href)="([^"]+)"', tag)
        assert url and re.match(r"https://cdn\.jsdelivr\.net/npm/[\w-]+@\d+\.\d+\.\d+/", url[1])
        assert re.search(r'integrity="sha384-[A-Za-z0-9+/]{64}"', tag), tag
        assert 'crossorigin="anonymous"' in tag
    # Nothing else reaches out: no favicon, no web fonts, no unpinned style sheet.
    assert len(re.findall(r"https?://", page)) == len(external)
