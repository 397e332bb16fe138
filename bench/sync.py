"""Sync benchmark: server ingest, delivery through a faulty network, and the cost of verifying a batch.

Run: .venv/bin/python -m bench.sync [--proposals 10000] [--batch-items 50] [--fault-rate 0.3]
Three tables, each against a baseline measured in the same run:
(a) server ingest rate on SQLite and PostgreSQL against a raw insert of the same rows (bench.ingest);
(b) an office delivering --proposals queued proposals with sync.send_pending over HTTP through the
    loopback fault proxy (bench.fault_proxy) at --fault-rate injected faults, against the same
    delivery through the same proxy injecting nothing. The transport is the production one
    (urllib3 retries included); the office's own backoff is not slept: each round passes a
    ``now`` two hours later. Goal: faulty < 2x clean;
(c) verify_batch per batch against one raw Ed25519 verify (bench.verify).
Figures vary by machine; only the ratios travel.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import selectinload
from urllib3.util import Retry

from app.clock import utcnow
from app.server.config import Settings
from app.server.context import open_server
from app.server.models import Item
from app.server.provisioning import register_office
from app.services import keys as office_keys
from app.services import outbox, provisioning, sync
from app.services.office import create_office, open_office
from app.storage.models import Household, Operator, Proposal
from app.storage.vault import KdfParams
from app.sync.transport_http import RETRY, HttpTransport
from bench import ingest, verify
from bench.fault_proxy import FaultProxy, FaultRates, serve
from bench.storage import OPERATOR, load

OPERATOR_PASS = "kata sandi operator bench"
LURAH_PASS = "kata sandi lurah bench"
VILLAGE = "35.75.03.1009"  # bench.storage's households live here
READ_TIMEOUT = 2.0  # a 50-item batch is ingested in tens of ms; a delay past this is a lost answer
MAX_ROUNDS = 10_000


@dataclass(frozen=True)
class Prepared:
    folder: Path
    operator_id: str
    batches: int


def prepare(folder: Path, proposals: int, batch_items: int) -> Prepared:
    """A server and a bound office holding ``proposals`` queued proposals sealed into batches, all closed.

    The proposals are written in bulk (bench.storage's households, no audit entries) and set to
    queued: making 10,000 of them through the services would take minutes and is not what this
    measures. Their outbox items, batches, signatures and envelopes are the application's own.
    """
    server = open_server(Settings(data_dir=folder / "server"))
    created = create_office(folder / "office", name="Kelurahan Bugul Kidul", village_code=VILLAGE,
                            lurah_name="Lurah", lurah_passphrase=LURAH_PASS, operator_name="Operator",
                            operator_passphrase=OPERATOR_PASS, kdf=KdfParams.for_tests())
    operator = open_office(folder / "office", created.operator_id, OPERATOR_PASS)
    chief = open_office(folder / "office", created.lurah_id, LURAH_PASS)
    try:
        document = register_office(server, name="Kelurahan Bugul Kidul", village_code=VILLAGE).document
        provisioning.import_provisioning(chief, document, root_fingerprint=document["dinsos_root_fingerprint"])
        with serve(server, log_level="critical") as port:
            provisioning.bind(chief, HttpTransport(f"http://127.0.0.1:{port}"))
        office_keys.certify_operator(chief, operator.operator_id)
        batches = _queue_in_bulk(operator, proposals, batch_items)
    finally:
        chief.close()
        operator.close()
        server.close()
    return Prepared(folder, created.operator_id, batches)


def _queue_in_bulk(ctx, count: int, batch_items: int) -> int:
    with ctx.engine.begin() as conn:  # bench.storage.load writes as its own operator: borrow the id briefly
        conn.execute(insert(Operator).values(id=OPERATOR, name="BENCH", role="operator", active=True,
                                             created_at=datetime(2026, 1, 1)))
    load(ctx.engine, count)
    with ctx.engine.begin() as conn:
        conn.execute(update(Proposal).values(state="queued", route="muskel", created_by=ctx.operator_id))
        conn.execute(delete(Operator).where(Operator.id == OPERATOR))
    with ctx.reading() as session:
        ids = list(session.scalars(select(Proposal.id).order_by(Proposal.tracking_code)))
    made = 0
    for offset in range(0, len(ids), batch_items):
        with ctx.transaction() as session:
            rows = session.scalars(select(Proposal).where(Proposal.id.in_(ids[offset : offset + batch_items]))
                                   .options(selectinload(Proposal.household).selectinload(Household.members)))
            for row in rows:
                outbox._insert_item(session, row, ctx.clock())
        made += len(outbox.build_batches(ctx))
    return made


class Counting:
    """The transport send_pending sees, counting its posts."""

    def __init__(self, inner):
        self.inner, self.posts = inner, 0

    def post_batch(self, sealed: bytes) -> dict:
        self.posts += 1
        return self.inner.post_batch(sealed)


class TimedRetry(Retry):
    """The production retry policy, also adding up the time urllib3 sleeps between tries."""

    slept = 0.0

    def sleep(self, response=None) -> None:
        started = time.perf_counter()
        super().sleep(response)
        TimedRetry.slept += time.perf_counter() - started


def production_retry() -> TimedRetry:
    timed = copy.copy(RETRY)
    timed.__class__ = TimedRetry  # same settings; Retry.new() keeps the class for every later try
    return timed


@dataclass
class Run:
    label: str
    rate: float
    seconds: float
    slept: float
    rounds: int
    posts: int
    requests: int
    counts: Counter


def deliver(prepared: Prepared, work: Path, label: str, rate: float, seed: int, proposals: int) -> Run:
    """Copy the prepared state, then send everything through a proxy injecting ``rate`` faults."""
    folder = work / label
    shutil.copytree(prepared.folder, folder)
    server = open_server(Settings(data_dir=folder / "server"))
    office = open_office(folder / "office", prepared.operator_id, OPERATOR_PASS)
    rates = FaultRates.spread(rate) if rate else FaultRates()
    try:
        with (serve(server, log_level="critical") as port,
              FaultProxy(port, rates, seed=seed, client_timeout=READ_TIMEOUT) as proxy):
            transport = Counting(HttpTransport(proxy.url, timeout=(2, READ_TIMEOUT), retry=production_retry()))
            TimedRetry.slept = 0.0
            now, rounds = utcnow(), 0
            started = time.perf_counter()
            while sync.outbox_summary(office) != {outbox.BATCH_DELIVERED: prepared.batches}:
                rounds += 1
                if rounds > MAX_ROUNDS:
                    raise RuntimeError(f"{label}: not delivered after {MAX_ROUNDS} rounds: {proxy.summary()}")
                sync.send_pending(office, transport, now=now)
                now += timedelta(hours=2)  # past any backoff (at most 1.2 h), without waiting for it
            seconds = time.perf_counter() - started
            counts = Counter(proxy.counts)
        with server.reading() as session:
            stored = session.scalar(select(func.count()).select_from(Item))
        if stored != proposals:
            raise RuntimeError(f"{label}: the server holds {stored} items, expected {proposals}")
    finally:
        office.close()
        server.close()
    return Run(label, rate, seconds, TimedRetry.slept, rounds, transport.posts, sum(counts.values()), counts)


def measure_faults(proposals: int, batch_items: int, rate: float, seed: int) -> tuple[Prepared, list[Run]]:
    with tempfile.TemporaryDirectory(prefix="usulkan-bench-sync-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        prepared = prepare(work / "base", proposals, batch_items)
        print(f"prepared {proposals:,} queued proposals in {prepared.batches} batches "
              f"in {time.perf_counter() - started:.1f} s")
        runs = [deliver(prepared, work, "clean", 0.0, seed, proposals),
                deliver(prepared, work, "faulty", rate, seed, proposals)]
    return prepared, runs


def print_faults(prepared: Prepared, runs: list[Run], proposals: int, batch_items: int) -> None:
    print(f"delivery of {proposals:,} proposals ({prepared.batches} batches of <= {batch_items}) by send_pending "
          f"through the loopback proxy; production transport, read timeout {READ_TIMEOUT:g} s")
    print(f"{'proxy':<8}{'faults':>8}{'requests':>10}{'posts':>7}{'rounds':>8}{'seconds':>9}{'retry sleep':>13}"
          f"{'proposals/s':>13}{'ratio':>7}")
    base = runs[0].seconds
    for run in runs:
        print(f"{run.label:<8}{run.rate:>7.0%} {run.requests:>10}{run.posts:>7}{run.rounds:>8}{run.seconds:>9.1f}"
              f"{run.slept:>13.1f}{proposals / run.seconds:>13,.0f}{run.seconds / base:>7.2f}")
    faulty = runs[-1]
    injected = {k: v for k, v in sorted(faulty.counts.items()) if k != "pass"}
    print(f"injected: {injected}")
    print(f"goal faulty < 2x clean: {'met' if faulty.seconds < 2 * base else 'NOT met'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000, help="proposals delivered per run in (b)")
    parser.add_argument("--batch-items", type=int, default=50, help="proposals per batch in (b)")
    parser.add_argument("--fault-rate", type=float, default=0.3, help="share of requests that meet a fault")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batches", type=int, default=10, help="batches of 500 in (a)")
    parser.add_argument("--min-seconds", type=float, default=0.2, help="time per measurement in (c)")
    parser.add_argument("--parts", default="ingest,faults,verify,audit",
                        help="which of ingest, faults, verify, audit to run")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    started = time.perf_counter()
    if "ingest" in parts:
        print("(a) server ingest")
        ingest.print_table(ingest.measure(args.batches), args.batches)
        print()
    if "faults" in parts:
        print("(b) delivery through injected faults")
        prepared, runs = measure_faults(args.proposals, args.batch_items, args.fault_rate, args.seed)
        print_faults(prepared, runs, args.proposals, args.batch_items)
        print()
    if "verify" in parts:
        print("(c) verification cost per batch")
        verify.main(["--min-seconds", str(args.min_seconds)])
        print()
    if "audit" in parts:
        from bench import audit_sign

        print("(d) signed audit history: batch signing with the audit head, per-entry signatures")
        audit_sign.main(["--min-seconds", str(args.min_seconds)])
        print()
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
