"""GET /docs and /openapi.json - the one OpenAPI document of the whole API.

Lambda gives this function none of the others' code, so the document is built from all of
them by scripts/build_openapi.py and shipped beside this file; a test fails when it is stale.
"""

import json
from pathlib import Path
from typing import Any

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from mangum import Mangum

from mdcreator.web import API_TITLE, create_app

OPENAPI_DOCUMENT: dict[str, Any] = json.loads((Path(__file__).parent / "openapi.json").read_text())

app = create_app()


@app.get("/openapi.json", include_in_schema=False)
async def openapi() -> dict[str, Any]:
    return OPENAPI_DOCUMENT


@app.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{API_TITLE} - docs")


handler = Mangum(app, lifespan="off")
