"""GET /docs, /redoc and /openapi.json - the one OpenAPI document of the whole API.

Lambda gives this function none of the others' code, so the document is built from all of
them by scripts/build_openapi.py and shipped beside this file; a test fails when it is stale.
"""

import json
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from mangum import Mangum

from mdcreator.http.apidocs import redoc_page, swagger_ui_page
from mdcreator.http.app import API_TITLE, create_app

OPENAPI_DOCUMENT: dict[str, Any] = json.loads((Path(__file__).parent / "openapi.json").read_text())
OPENAPI_URL = "/openapi.json"

app = create_app("docs")


@app.get(OPENAPI_URL, include_in_schema=False)
async def openapi() -> dict[str, Any]:
    return OPENAPI_DOCUMENT


@app.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return HTMLResponse(swagger_ui_page(OPENAPI_URL, f"{API_TITLE} - docs"))


@app.get("/redoc", include_in_schema=False)
async def redoc() -> HTMLResponse:
    return HTMLResponse(redoc_page(OPENAPI_URL, f"{API_TITLE} - ReDoc"))


handler = Mangum(app, lifespan="off")
