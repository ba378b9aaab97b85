import subprocess
import sys

from tests.conftest import ROOT
from tests.support.lambda_events import http_event, invoke, load_event
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
    assert "swagger-ui" in answer.body
    assert "/openapi.json" in answer.body
