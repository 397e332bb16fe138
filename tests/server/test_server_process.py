"""A real `usulkan-server serve` process on loopback with SQLite: POST a batch, get the receipt, pull statuses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from app.server.config import Settings
from app.server.context import open_server
from app.sync.receipt import Receipt, verify_receipt
from app.sync.status import StatusPage, verify_status_page
from bench.server_world import enrol, nik

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_server_process(tmp_path):
    data_dir = tmp_path / "server"
    # Provision an office in the same data dir first (as `register-office` would), then serve it.
    ctx = open_server(Settings(data_dir=data_dir))
    kelurahan = enrol(ctx, "a")
    sealed, digest, _ = kelurahan.batch(kelurahan.items([nik(1), nik(2)]))
    ctx.close()

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.server", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        keys = requests.get(f"{base}/v1/keys", timeout=5).json()
        response = requests.post(f"{base}/v1/batches", data=sealed,
                                 headers={"Content-Type": "application/octet-stream"}, timeout=30)
        assert response.status_code == 200, response.text
        from app.sync.canonical import b64url_decode

        server_key = b64url_decode(keys["server_signing"]["public_key"])
        verify_receipt(Receipt.from_bytes(response.content), server_key, expected_batch_hash=digest)
        page = requests.get(f"{base}/v1/offices/{kelurahan.office_id}/statuses", params={"after": 0},
                            headers={"Authorization": f"Bearer {kelurahan.feed_token}"}, timeout=5)
        assert page.status_code == 200
        parsed = StatusPage.from_bytes(page.content)
        verify_status_page(parsed, server_key, office_id=kelurahan.office_id, after_cursor=0)
        assert parsed.updates == ()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
