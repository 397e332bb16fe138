"""Single-proposal batches over real HTTP on PostgreSQL: proposals/s for 1, 2 and 4 workers against in-process ingest.

Run: .venv/bin/python -m bench.server_workers [--offices 8 --batches 40 --workers 1 2 4]. Each office
posts its batches in order (one thread per office, as an office's sync does); the offices run in
parallel. A fresh database for each run; the figure is proposals stored per wall-clock second.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

from app.server.config import Settings
from app.server.context import open_server
from app.server.ingest import ingest
from bench.server_world import enrol, nik

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _fresh_database() -> tuple[str, str]:
    name = f"usulkan_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


def _drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _world(data_dir: Path, url: str, offices: int, batches: int):
    ctx = open_server(Settings(data_dir=data_dir, database_url=url))
    work = []
    for o in range(offices):
        kel = enrol(ctx, f"o{o}")
        work.append([kel.batch(kel.items([nik(10_000 * o + b + 1)]))[0] for b in range(batches)])
    return ctx, work


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def over_http(workers: int, offices: int, batches: int) -> float:
    name, url = _fresh_database()
    data_dir = Path(tempfile.mkdtemp()) / "server"
    ctx, work = _world(data_dir, url, offices, batches)
    ctx.close()
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "app.server", "serve", "--port", str(port), "--data-dir",
                             str(data_dir), "--database-url", url, "--workers", str(workers)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)

        def office(batches_of_one: list[bytes]) -> None:
            session = requests.Session()
            for sealed in batches_of_one:
                r = session.post(f"{base}/v1/batches", data=sealed, timeout=60,
                                 headers={"Content-Type": "application/octet-stream"})
                assert r.status_code == 200, r.text

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=offices) as pool:
            list(pool.map(office, work))
        return offices * batches / (time.perf_counter() - start)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        _drop(name)


def in_process(offices: int, batches: int) -> float:
    name, url = _fresh_database()
    ctx, work = _world(Path(tempfile.mkdtemp()) / "server", url, offices, batches)
    try:
        start = time.perf_counter()
        for batches_of_one in work:
            for sealed in batches_of_one:
                ingest(ctx, sealed, source="bench")
        return offices * batches / (time.perf_counter() - start)
    finally:
        ctx.close()
        _drop(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=8)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(f"in-process ingest, one thread: {in_process(args.offices, args.batches):.1f} proposals/s")
    for workers in args.workers:
        rate = over_http(workers, args.offices, args.batches)
        print(f"HTTP, {workers} worker(s), {args.offices} offices in parallel: {rate:.1f} proposals/s")


if __name__ == "__main__":
    main()
