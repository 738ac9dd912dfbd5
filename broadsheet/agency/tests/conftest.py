"""An agency's own web server on 127.0.0.1 (there is no internet in tests), and sources."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from broadsheet.agency.models import Source


class AgencyServer:
    """Serves whatever a test puts in `routes`: path -> (status, content type, body, headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, dict]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                status, content_type, body, headers = server.routes.get(
                    self.path, (404, "text/plain", b"not found", {})
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes, content_type: str = "image/png", **kwargs) -> str:
        self.routes[path] = (
            kwargs.get("status", 200),
            content_type,
            body,
            kwargs.get("headers", {}),
        )
        return self.url(path)


@pytest.fixture(autouse=True)
def _agency_on_localhost(settings):
    # The agency's server of these tests is on 127.0.0.1 (test_fetching checks the default).
    settings.AGENCY_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def agency_server():
    server = AgencyServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    server.thread.join(timeout=5)


@pytest.fixture
def make_source(en_world, agency_server):
    def make(format: str = "rss", **fields) -> Source:
        fields.setdefault("url", agency_server.url("/feed"))
        fields.setdefault("is_active", False)
        return Source.objects.create(
            name=fields.pop("name", "Agencia Prensa"),
            format=format,
            section=fields.pop("section", en_world),
            **fields,
        )

    return make
