"""A partner's site for the tests of the embeds: another origin serving the page a test
gives it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class _PartnerPage(BaseHTTPRequestHandler):
    """Answers every GET with the page the test gave its server."""

    def do_GET(self) -> None:
        body = self.server.page.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def partner_site() -> Iterator[Callable[[str], str]]:
    """A site of another origin (`localhost`, where the app is on 127.0.0.1) serving the
    page a test gives it: a partner's page that embeds the app's widgets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PartnerPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(page: str) -> str:
        server.page = page  # type: ignore[attr-defined]
        return f"http://localhost:{server.server_port}/"

    try:
        yield serve
    finally:
        server.shutdown()
        thread.join(timeout=5)
