"""A reply cut off mid-body: the office says so in Indonesian and keeps the batch queued (a real socket server)."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.services import outbox, sync
from app.storage.sync_models import OutboxBatch
from app.sync.transport_http import ReplyCutOff, ServerError, HttpTransport
from app.ui.pages.sync import reason_text
from tests.fakes.sync_world import queue_ready

RECEIPT_START = b'{"format": "usulkan-receipt", "batch_id": "0b8f'
HEAD_200 = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


class CuttingServer:
    """Answers each request with 200 and the start of a JSON body, then closes: three ways of cutting."""

    def __init__(self, mode: str):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += conn.recv(65536)
        self.requests += 1
        if self.mode == "short":  # fewer bytes than Content-Length says
            conn.sendall(HEAD_200 + b"Content-Length: 4000\r\n\r\n" + RECEIPT_START)
        elif self.mode == "chunked":  # a chunk announced and never finished
            conn.sendall(HEAD_200 + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % 4000 + RECEIPT_START)
        else:  # no length at all: the body simply ends where the line dropped
            conn.sendall(HEAD_200 + b"Connection: close\r\n\r\n" + RECEIPT_START)
        conn.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=["short", "chunked", "unframed"])
def cutting(request):
    server = CuttingServer(request.param)
    yield server
    server.close()


def test_transport_names_the_cut_reply(cutting):
    transport = HttpTransport(cutting.url, timeout=(2, 5))
    with pytest.raises(ReplyCutOff) as raised:
        transport.post_batch(b"sealed batch bytes")
    assert "terputus di tengah jalan" in raised.value.message()
    assert "(200)" not in raised.value.message() and raised.value.code == "cut_off"
    with pytest.raises(ReplyCutOff):
        transport.get_statuses("office", 0, "token")


def test_garbage_that_is_not_cut_is_still_a_server_error(tmp_path):
    server = CuttingServer("unframed")
    global RECEIPT_START
    saved, RECEIPT_START = RECEIPT_START, b"<html>proxy error page</html>"
    try:
        with pytest.raises(ServerError) as raised:
            HttpTransport(server.url, timeout=(2, 5)).post_batch(b"x")
        assert not isinstance(raised.value, ReplyCutOff)
    finally:
        RECEIPT_START = saved
        server.close()


class CutThenFake:
    """Posts go to the cutting server; everything else (and later posts) to the in-memory Dinsos."""

    def __init__(self, url: str, fake):
        self.http, self.fake, self.cut = HttpTransport(url, timeout=(2, 5)), fake, True

    def post_batch(self, sealed: bytes) -> dict:
        return self.http.post_batch(sealed) if self.cut else self.fake.post_batch(sealed)

    def __getattr__(self, name):
        return getattr(self.fake, name)


def test_a_cut_reply_keeps_the_batch_queued_and_it_goes_later(linked, dinsos, cutting):
    queue_ready(linked, 1)
    [batch_id] = outbox.build_batches(linked)
    transport = CutThenFake(cutting.url, dinsos)
    now = utcnow()
    report = sync.send_pending(linked, transport, now=now)
    assert report.deferred == {batch_id: "cut_off"} and not report.delivered and not report.rejected
    with linked.reading() as session:
        row = session.execute(select(OutboxBatch).where(OutboxBatch.batch_id == batch_id)).scalar_one()
        assert row.last_error == "cut_off" and row.state != outbox.REJECTED
    assert "terputus di tengah jalan" in reason_text("cut_off") and "antrean" in reason_text("cut_off")
    transport.cut = False
    later = sync.send_pending(linked, transport, now=now + timedelta(hours=2))
    assert later.delivered == [batch_id]



def test_a_reply_cut_off_while_a_restored_office_reconciles_is_named_cut_off(monkeypatch):
    # The reconcile step before a round reports a transport error by its code, like the batch path:
    # a cut-off answer (status 200) reads "cut_off", never "server error (200)".
    from app.clock import utcnow
    from app.services import restore_sync, sync_run

    def cut(ctx, transport, *, now):
        raise ReplyCutOff(200)

    monkeypatch.setattr(restore_sync, "reconcile_if_restored", cut)
    report = sync_run.RoundReport()
    assert sync_run._reconciled(None, None, utcnow(), report) is False
    assert report.error == "cut_off"
    monkeypatch.setattr(restore_sync, "reconcile_if_restored",
                        lambda ctx, transport, *, now: (_ for _ in ()).throw(ServerError(503)))
    report = sync_run.RoundReport()
    assert sync_run._reconciled(None, None, utcnow(), report) is False and report.error == "http_503"
