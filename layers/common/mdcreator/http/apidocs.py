"""The two pages that render the one OpenAPI document: Swagger UI and ReDoc.

Their scripts and style sheets come from jsDelivr at exact versions, each with its
Subresource Integrity hash: a file that changes on the CDN is refused by the browser instead
of running on the API's origin. A hash is the sha384 of the file in the npm package, e.g.
`npm pack redoc@2.5.4`, then `openssl dgst -sha384 -binary package/bundles/redoc.standalone.js
| base64`. No favicon and no web fonts: neither can carry a hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

SWAGGER_UI_VERSION = "5.35.0"
REDOC_VERSION = "2.5.4"
_CDN = "https://cdn.jsdelivr.net/npm"


@dataclass(frozen=True)
class Asset:
    url: str
    integrity: str

    def script(self) -> str:
        return (
            f'<script src="{self.url}" integrity="{self.integrity}" '
            'crossorigin="anonymous" referrerpolicy="no-referrer"></script>'
        )

    def stylesheet(self) -> str:
        return (
            f'<link rel="stylesheet" href="{self.url}" integrity="{self.integrity}" '
            'crossorigin="anonymous" referrerpolicy="no-referrer">'
        )


SWAGGER_UI_JS = Asset(
    f"{_CDN}/swagger-ui-dist@{SWAGGER_UI_VERSION}/swagger-ui-bundle.js",
    "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9",
)
SWAGGER_UI_CSS = Asset(
    f"{_CDN}/swagger-ui-dist@{SWAGGER_UI_VERSION}/swagger-ui.css",
    "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
)
REDOC_JS = Asset(
    f"{_CDN}/redoc@{REDOC_VERSION}/bundles/redoc.standalone.js",
    "sha384-w447zOpYfw/1Tv/5AK9NfHTlQIqE3RVR6KY62jCyy9zNDgO64cMwGGP1Fj0zJVf5",
)


def _script_literal(value: str) -> str:
    """A JSON string safe inside an HTML <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def _page(title: str, head: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def swagger_ui_page(openapi_url: str, title: str) -> str:
    start = (
        "<script>\nwindow.ui = SwaggerUIBundle({"
        f"url: {_script_literal(openapi_url)}, dom_id: '#swagger-ui', layout: 'BaseLayout', "
        "deepLinking: true, presets: [SwaggerUIBundle.presets.apis, "
        "SwaggerUIBundle.SwaggerUIStandalonePreset]});\n</script>"
    )
    body = f'<div id="swagger-ui"></div>\n{SWAGGER_UI_JS.script()}\n{start}'
    return _page(title, SWAGGER_UI_CSS.stylesheet(), body)


def redoc_page(openapi_url: str, title: str) -> str:
    body = f'<redoc spec-url="{escape(openapi_url)}"></redoc>\n{REDOC_JS.script()}'
    return _page(title, "<style>body { margin: 0; padding: 0; }</style>", body)
