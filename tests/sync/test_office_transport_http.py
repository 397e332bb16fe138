"""HTTP transport: 5xx and dropped connections retried with backoff, refusals typed with their reason."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from urllib3.util import Retry

from app.sync.transport_http import BatchRefused, HttpTransport, ServerError, ServerUnreachable

FAST = Retry(total=3, backoff_factor=0.01, status_forcelist=(500, 502, 503, 504),
             allowed_methods=frozenset({"GET", "POST"}), raise_on_status=False)


@pytest.fixture
def stub():
    """A loopback server that answers from a script of (status, body) and counts requests."""
    script: list[tuple[int, dict]] = []
    seen: list[tuple[str, bytes, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            seen.append((self.path, self.rfile.read(length), dict(self.headers)))
            status, body = script.pop(0) if len(script) > 1 else script[0]
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args):  # keep test output quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script, seen
    httpd.shutdown()
    httpd.server_close()


def test_5xx_is_retried_until_the_receipt_comes(stub):
    url, script, seen = stub
    script[:] = [(503, {}), (502, {}), (200, {"format": "usulkan-receipt"})]
    assert HttpTransport(url, retry=FAST).post_batch(b"sealed") == {"format": "usulkan-receipt"}
    assert len(seen) == 3 and all(body == b"sealed" for _, body, _ in seen)
    assert seen[0][2]["Content-Type"] == "application/octet-stream"


def test_a_server_that_keeps_failing_is_a_server_error(stub):
    url, script, seen = stub
    script[:] = [(500, {})]
    with pytest.raises(ServerError) as caught:
        HttpTransport(url, retry=FAST).post_batch(b"sealed")
    assert caught.value.status == 500 and len(seen) == 4


def test_no_server_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ServerUnreachable):
        HttpTransport(f"http://127.0.0.1:{port}", retry=FAST, timeout=(1, 1)).post_batch(b"sealed")


@pytest.mark.parametrize("status,reason", [(422, "revoked"), (409, "rollback"), (202, "gap")])
def test_refusals_carry_the_server_reason(stub, status, reason):
    url, script, _ = stub
    script[:] = [(status, {"reason": reason, "message": "..."})]
    with pytest.raises(BatchRefused) as caught:
        HttpTransport(url, retry=FAST).post_batch(b"sealed")
    assert caught.value.reason == reason and caught.value.status == status


def test_statuses_send_the_cursor_and_the_feed_token(stub):
    url, script, seen = stub
    script[:] = [(200, {"format": "usulkan-status-page"})]
    HttpTransport(url, retry=FAST).get_statuses("office-1", 5, "tok")
    path, _, headers = seen[0]
    assert path == "/v1/offices/office-1/statuses?after=5" and headers["Authorization"] == "Bearer tok"
