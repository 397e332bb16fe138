"""Single-proposal batches over real HTTP (uvicorn on loopback, 1, 2 and 4 workers, PostgreSQL) against in-process ingest.

Every batch is a real one: signed by the office's operator, sealed to the server's key, one proposal
each, in chain order per office. Several offices send at once (one client thread each), so several
workers have work in parallel; the client runs on the same machine and its CPU counts against the
server's. `usulkan-server serve` has no --workers, so the workers are `uvicorn --workers N --factory`
on the app factory, configured by USULKAN_SERVER_DIR and USULKAN_SERVER_DATABASE_URL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.server.config import Settings
from app.server.context import open_server
from app.server.ingest import ingest
from app.server.models import Item
from app.sync.transport_http import BATCH_TYPE
from bench.server_world import enrol, nik

SENDERS = 8
WORKERS = (1, 2, 4)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(ctx, tag: str, batches: int) -> list[list[bytes]]:
    """``SENDERS`` offices, each with its share of ``batches`` sealed single-proposal batches, in order."""
    offices = [enrol(ctx, f"{tag}{n}") for n in range(SENDERS)]
    out, made = [], 0
    for n, office in enumerate(offices):
        count = batches // SENDERS + (1 if n < batches % SENDERS else 0)
        out.append([office.batch(office.items([nik((made + i) % 10_000)]))[0] for i in range(count)])
        made += count
    return out


def in_process(ctx, streams: list[list[bytes]]) -> float:
    total = sum(len(s) for s in streams)
    start = time.perf_counter()
    for stream in streams:
        for sealed in stream:
            ingest(ctx, sealed, source="bench")
    return total / (time.perf_counter() - start)


def _start(data_dir: Path, url: str, workers: int, port: int) -> subprocess.Popen:
    env = dict(os.environ, USULKAN_SERVER_DIR=str(data_dir), USULKAN_SERVER_DATABASE_URL=url)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "app.server.app:create_app",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning", "--no-access-log"],
                            env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn ended with {proc.returncode}")
        time.sleep(0.2)
    _stop(proc)
    raise RuntimeError("uvicorn did not answer within 60 s")


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)  # the group this bench started: uvicorn's supervisor and workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def over_http(port: int, streams: list[list[bytes]]) -> float:
    failures: list[str] = []

    def send(stream):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for sealed in stream:
                answer = client.post("/v1/batches", content=sealed, headers={"Content-Type": BATCH_TYPE})
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                    return

    threads = [threading.Thread(target=send, args=(s,)) for s in streams]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} batches refused, first: {failures[0]}")
    return sum(len(s) for s in streams) / elapsed


def measure(url: str, batches: int) -> tuple[float, list[tuple[int, float]]]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        ctx = open_server(Settings(data_dir=data_dir, database_url=url))
        base = in_process(ctx, prepare(ctx, "inproc", batches))
        rows = []
        for workers in WORKERS:
            streams = prepare(ctx, f"w{workers}-", batches)
            port = _free_port()
            proc = _start(data_dir, url, workers, port)
            try:
                rows.append((workers, over_http(port, streams)))
            finally:
                _stop(proc)
        with ctx.reading() as session:
            stored = session.execute(select(func.count()).select_from(Item)).scalar_one()
        ctx.close()
        expected = batches * (1 + len(WORKERS))
        if stored != expected:
            raise RuntimeError(f"{stored} items stored, {expected} sent")
    return base, rows


def main(batches: int) -> None:
    from bench.console import drop_pg, pg_database

    pg = pg_database()
    if pg is None:
        return
    try:
        base, rows = measure(pg[0], batches)
    finally:
        drop_pg(pg[1])
    print(f"single-proposal batches over HTTP (uvicorn on loopback, PostgreSQL), {batches} batches from "
          f"{SENDERS} offices sending at once, per worker count")
    print(f"{'workers':<10}{'proposals/s':>13}{'in-process/s':>14}{'ratio':>8}")
    for workers, rate in rows:
        print(f"{workers:<10}{rate:>13,.1f}{base:>14,.1f}{rate / base:>8.2f}")
    print("reference: ODK Central's published load test reached 95-115 submissions/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
