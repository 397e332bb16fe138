"""Three server processes on one PostgreSQL (`serve --workers 2` plus one more): batches and decisions at once.

The same batch posted to two processes, batches of one office out of order across processes,
three offices at once; then every item decided twice at the same moment through different
processes. Afterwards: each item stored once, each office's chain whole, one decision per item,
each feed numbered 1..n with no gap and no repeat, and never a 5xx.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.server import auth
from app.server.config import Settings
from app.server.context import open_server
from app.server.models import Batch, Decision, Item, Office, StatusEntry
from app.sync.status import StatusPage
from bench.server_world import enrol, nik

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "rahasia-dinsos-123"
OFFICES, BATCHES, PER_BATCH = 3, 5, 2
OCTET = {"Content-Type": "application/octet-stream"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "app.server", "serve", "--host", "127.0.0.1", "--port", str(port),
                             *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait(proc: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        assert proc.poll() is None, proc.stdout.read().decode()
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)


def _truncate(url: str) -> None:
    """Empty the session's PostgreSQL database (as tests/server/conftest.py does), seed reasons kept."""
    from sqlalchemy import text

    from app.server import db
    from app.server.models import Base

    engine = db.make_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name != "reason_codes")
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def world(tmp_path, pg_database):
    _truncate(pg_database)
    settings = Settings(data_dir=tmp_path / "server", database_url=pg_database)
    ctx = open_server(settings)
    offices = [enrol(ctx, tag) for tag in "abc"[:OFFICES]]
    batches = []  # (office index, sequence, sealed)
    for index, kel in enumerate(offices):
        for _ in range(BATCHES):
            sealed, _, _ = kel.batch(kel.items([nik(1000 * index + kel.counter + n + 1) for n in range(PER_BATCH)]))
            batches.append((index, kel.sequence, sealed))
    auth.add_staff(ctx, username="vera", password=PASSWORD, role="verifier")
    yield ctx, settings, offices, batches
    ctx.close()


def test_three_processes_ingest_and_decide_at_once(world):
    ctx, settings, offices, batches = world
    common = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    ports = [_free_port(), _free_port()]
    procs = [_start([*common, "--workers", "2"], ports[0]), _start(common, ports[1])]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    statuses: Counter = Counter()
    try:
        for proc, base in zip(procs, bases, strict=True):
            _wait(proc, base)
        rng = random.Random(11)

        def post(job) -> int:
            base, sealed = job
            status = requests.post(f"{base}/v1/batches", data=sealed, headers=OCTET, timeout=60).status_code
            statuses[status] += 1
            return status

        # Every batch to both processes (a resend racing the first try), all offices mixed, out of order.
        pending = list(batches)
        for _round in range(6):
            jobs = [(base, sealed) for _, _, sealed in pending for base in bases]
            rng.shuffle(jobs)
            with ThreadPoolExecutor(max_workers=8) as pool:
                answers = list(pool.map(post, jobs))
            done = {jobs[i][1] for i, status in enumerate(answers) if status == 200}
            pending = [b for b in pending if b[2] not in done]  # held (202) ones go again, as an office would
            if not pending:
                break
        assert not pending, statuses
        assert all(s < 500 for s in statuses), statuses

        with ctx.reading() as session:
            items = session.execute(select(Item.item_id, Item.office_id)).all()
            assert len(items) == OFFICES * BATCHES * PER_BATCH == len({i for i, _ in items})
            assert session.execute(select(func.count()).select_from(Batch)).scalar_one() == OFFICES * BATCHES
            assert sorted(session.execute(select(Office.last_sequence)).scalars()) == [BATCHES] * OFFICES

        token = requests.post(f"{bases[0]}/v1/review/login", json={"username": "vera", "password": PASSWORD},
                              timeout=30).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}

        def decide(job) -> int:
            base, item_id = job
            return requests.post(f"{base}/v1/review/items/{item_id}/decisions", json={"action": "verify"},
                                 headers=bearer, timeout=60).status_code

        jobs = [(base, item_id) for item_id, _ in items for base in bases]
        rng.shuffle(jobs)
        with ThreadPoolExecutor(max_workers=8) as pool:
            decided = list(pool.map(decide, jobs))
        wins = Counter(jobs[i][1] for i, status in enumerate(decided) if status == 200)
        assert Counter(decided) == {200: len(items), 409: len(items)}, Counter(decided)
        assert set(wins.values()) == {1}

        with ctx.reading() as session:
            assert session.execute(select(func.count()).select_from(Decision)).scalar_one() == len(items)
        for kel in offices:
            page = StatusPage.from_bytes(requests.get(
                f"{bases[1]}/v1/offices/{kel.office_id}/statuses", params={"after": 0},
                headers={"Authorization": f"Bearer {kel.feed_token}"}, timeout=30).content)
            cursors = [u.feed_cursor for u in page.updates]
            assert cursors == list(range(1, BATCHES * PER_BATCH + 1)), cursors
            assert len({u.item_id for u in page.updates}) == len(cursors)
            with ctx.reading() as session:
                assert session.execute(select(func.count()).select_from(StatusEntry)
                                       .where(StatusEntry.office_id == kel.office_id)).scalar_one() == len(cursors)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_workers_refuse_sqlite(tmp_path):
    proc = _start(["--data-dir", str(tmp_path / "s"), "--workers", "2"], _free_port())
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and b"postgresql" in out.lower(), out
