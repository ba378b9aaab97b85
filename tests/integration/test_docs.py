"""The docs contract over HTTP: Swagger UI at /docs and ReDoc at /redoc, one document."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(("path", "marker"), [("/docs", "SwaggerUIBundle"), ("/redoc", "<redoc")])
def test_docs_pages_answer_html(api: httpx.Client, path: str, marker: str) -> None:
    answer = api.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert marker in answer.text
    assert "/openapi.json" in answer.text


def test_the_document_both_pages_render_is_served(api: httpx.Client) -> None:
    answer = api.get("/openapi.json")
    assert answer.status_code == 200
    assert answer.json()["openapi"].startswith("3.")
