"""Commands that need Prefect attach to the project's server on its configured port only."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from complaints.prefect_server import use_local_server_if_running


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def prefect_like() -> Iterator[int]:
    """Something answering Prefect's health check on a free port."""
    server = HTTPServer(("127.0.0.1", 0), _Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_the_configured_port_is_used(prefect_like: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    use_local_server_if_running(prefect_like)
    assert os.environ["PREFECT_API_URL"] == f"http://127.0.0.1:{prefect_like}/api"


def test_a_server_on_another_port_is_never_taken(
    prefect_like: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Somebody else's server (here on `prefect_like`) is left alone: ours is not running."""
    from complaints.mail.sink import free_port

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    use_local_server_if_running(free_port())
    assert "PREFECT_API_URL" not in os.environ
