"""The reference page (web/) over HTTP, as an SPA's dev server would serve it.

    python -m tools.web --port 5174 --api-url http://localhost:3000

The page's routes (`/`, and the mail links' `/verify-email`, `/confirm-email`,
`/reset-password`, `/invitation`) answer index.html with the API's address in its `mdc-api`
meta tag; `/app.js` is the module. Files are read at every request: an edit shows on reload. The
headers are the ones a deployed SPA should send too: a Content-Security-Policy that lets
scripts come from the page's own origin only and connections go to the API only, and no
Referer (the mail links carry one-time tokens in their query).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
PAGE_ROUTES = frozenset(
    {"/", "/index.html", "/verify-email", "/confirm-email", "/reset-password", "/invitation"}
)
FILES = {"/app.js": ("app.js", "text/javascript; charset=utf-8")}
_API_META = re.compile(r'(<meta name="mdc-api" content=")[^"]*(">)')


def page(api_url: str) -> bytes:
    """index.html naming `api_url` as the API."""
    text = (WEB / "index.html").read_text()
    return _API_META.sub(rf"\g<1>{html.escape(api_url)}\g<2>", text, count=1).encode()


def security_headers(api_url: str) -> dict[str, str]:
    parts = urlsplit(api_url)
    api_origin = f"{parts.scheme}://{parts.netloc}"
    policy = (
        f"default-src 'none'; script-src 'self'; connect-src {api_origin}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


def make_server(host: str, port: int, api_url: str) -> ThreadingHTTPServer:
    headers = security_headers(api_url)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path in PAGE_ROUTES:
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", page(api_url))
            elif path in FILES:
                name, content_type = FILES[path]
                self._send(HTTPStatus.OK, content_type, (WEB / name).read_bytes())
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")

        def do_HEAD(self) -> None:
            self.do_GET()

        def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the API's log is the one to read."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def serve_in_background(host: str, port: int, api_url: str) -> ThreadingHTTPServer:
    """Start serving in a daemon thread; `shutdown()` and `server_close()` stop it."""
    server = make_server(host, port, api_url)
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.web", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5174)
    parser.add_argument("--api-url", default="http://localhost:3000")
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, args.api_url)
    print(f"reference page on http://localhost:{args.port} (API {args.api_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
