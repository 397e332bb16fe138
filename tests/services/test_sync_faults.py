"""Two offices send through a fault-injecting proxy to one real server: every item lands exactly once.

About 1,000 batch posts in all (each one HttpTransport.post_batch, driven by sync.send_pending),
new proposals queued between rounds, the ``now`` given to send_pending moved past the backoff.
Each office runs in its own thread through its own seeded bench.fault_proxy.FaultProxy, which
drops answers after the server committed, resets connections mid-body and mid-answer, delays
(below and past the client's timeout) and answers 502/503 itself. Office A's transport has no
retries, office B's one urllib3 retry: faults reach send_pending both bare and half-masked.
Seed: USULKAN_FAULT_SEED (printed with the fault counts; the same seed draws the same faults).
USULKAN_FAULT_SENDS scales the run.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from urllib3.util import Retry  # noqa: E402

from app.clock import utcnow  # noqa: E402
from app.domain import workflow  # noqa: E402
from app.server.config import Settings  # noqa: E402
from app.server.context import open_server  # noqa: E402
from app.server.models import Batch, HeldBatch, Item  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import keys as office_keys  # noqa: E402
from app.services import muskel, outbox, proposal_io, proposals, provisioning, sync  # noqa: E402
from app.services.context import OfficeContext  # noqa: E402
from app.services.office import create_office, open_office  # noqa: E402
from app.storage.models import Proposal  # noqa: E402
from app.storage.sync_models import OutboxBatch, OutboxItem  # noqa: E402
from app.sync.envelope import read_header  # noqa: E402
from app.sync.receipt import Receipt, verify_receipt  # noqa: E402
from app.sync.transport_http import HttpTransport  # noqa: E402
from bench.fault_proxy import MODES, FaultProxy, FaultRates, serve  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import LURAH_PASS, OPERATOR_PASS  # noqa: E402
from tests.fakes.sync_world import PDF, nik, queue_ready  # noqa: E402

SEED = int(os.environ.get("USULKAN_FAULT_SEED", "5005"))
SENDS = int(os.environ.get("USULKAN_FAULT_SENDS", "1000"))
# Over half of all requests meet a fault; delay_over costs a client timeout each, so it is rarer.
RATES = FaultRates(drop_reply=0.12, reset_body=0.12, reset_reply=0.12, delay=0.06, delay_over=0.012,
                   answer_503=0.09, answer_502=0.09)
TIMEOUT = (1.0, 0.3)  # connect, read: a delay waits at most 0.06 s, a delay_over 0.36-0.45 s
NO_RETRY = Retry(total=0, read=0, redirect=0, status=0, other=0, raise_on_status=False,
                 status_forcelist=(502, 503, 504), allowed_methods=frozenset({"POST"}))
ONE_RETRY = Retry(total=1, connect=1, read=1, status=1, other=0, backoff_factor=0, raise_on_status=False,
                  status_forcelist=(502, 503, 504), allowed_methods=frozenset({"POST"}),
                  respect_retry_after_header=False)
MIN_PER_MODE = max(1, SENDS // 200)  # 5 in the full run


class Counting:
    """The transport send_pending sees, recording which batch each post carried."""

    def __init__(self, inner: HttpTransport):
        self.inner = inner
        self.posts: list[str] = []

    def post_batch(self, sealed: bytes) -> dict:
        self.posts.append(read_header(sealed).batch_id)
        return self.inner.post_batch(sealed)


@dataclass
class Desk:
    """One office as the test drives it: operator context, transport, its clock and what it queued."""

    name: str
    ctx: OfficeContext
    transport: Counting
    first_nik: int
    now: datetime = field(default_factory=utcnow)
    queued: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)

    def queue(self, count: int) -> None:
        """A muskel meeting decides ``count`` new households eligible (one set of minutes); all are queued."""
        if not count:
            return
        start = self.first_nik + len(self.queued)
        ids = []
        for n in range(start, start + count):
            draft = proposal_io.proposal_from_dict(factories.household_with([nik(n)]))
            ids.append(proposals.add_proposal(self.ctx, draft).id)
            proposals.apply_action(self.ctx, ids[-1], workflow.Action.SEND_TO_MUSKEL)
        muskel.record_decisions(self.ctx, dict.fromkeys(ids, "eligible"), "berita_acara.pdf", PDF)
        for pid in ids:
            outbox.queue_proposal(self.ctx, pid)
        self.queued += ids


@pytest.fixture
def scratch(tmp_path):
    """Databases in memory-backed storage when there is some: this test is about the wire, not fsync."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="usulkan-faults-", dir=shm))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class ServerErrors(logging.Handler):
    """What the server logged as errors, by exception type (kept off the console)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.types: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.types[record.exc_info[0].__name__ if record.exc_info else record.getMessage()[:80]] += 1


@pytest.fixture
def server(scratch):
    """One real server on loopback; yields (context, port, the errors it logged)."""
    ctx = open_server(Settings(data_dir=scratch / "server"))
    errors = ServerErrors()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(errors)
    propagate, logger.propagate = logger.propagate, False
    try:
        with serve(ctx, log_level="error", log_config=None) as port:
            yield ctx, port, errors
    finally:
        logger.removeHandler(errors)
        logger.propagate = propagate
        ctx.close()


def _office(folder: Path, kdf, name: str, village: str) -> tuple[OfficeContext, OfficeContext]:
    """A new office database: (its operator, its Lurah), both unlocked."""
    created = create_office(folder, name=name, village_code=village, lurah_name="Lurah",
                            lurah_passphrase=LURAH_PASS, operator_name="Operator",
                            operator_passphrase=OPERATOR_PASS, kdf=kdf)
    return open_office(folder, created.operator_id, OPERATOR_PASS), open_office(folder, created.lurah_id, LURAH_PASS)


@pytest.fixture
def offices(scratch, fast_kdf, server):
    """Kelurahan Bugul Kidul and its neighbour Kepel, each provisioned, bound at the server and certified."""
    server_ctx, port, _errors = server
    opened = []
    for name, village in (("Kelurahan Bugul Kidul", "35.75.03.1009"), ("Kelurahan Kepel", "35.75.03.1002")):
        operator, chief = _office(scratch / name.split()[-1].lower(), fast_kdf, name, village)
        opened += [operator, chief]
        document = register_office(server_ctx, name=name, village_code=village).document
        provisioning.import_provisioning(chief, document, root_fingerprint=document["dinsos_root_fingerprint"])
        provisioning.bind(chief, HttpTransport(f"http://127.0.0.1:{port}", timeout=(2, 10)))
        office_keys.certify_operator(chief, operator.operator_id)
    yield opened[0], opened[2]
    for ctx in opened:
        ctx.close()


def _due(ctx: OfficeContext, now: datetime) -> list[str]:
    """What may go out now, in order: undelivered batches up to the first one still backing off."""
    due = []
    with ctx.reading() as session:
        for batch in session.scalars(select(OutboxBatch).where(OutboxBatch.state.in_((outbox.READY, outbox.SENT)))
                                     .order_by(OutboxBatch.sequence)):
            if batch.next_attempt_at is not None and batch.next_attempt_at > now:
                break
            due.append(batch.batch_id)
    return due


def _round(desk: Desk, rng: random.Random, *, queue: bool) -> None:
    if queue:
        # Mostly one new item per batch: each delivered batch costs a proposal, and the faults, not
        # the item count, are what this is about.
        count = rng.choices((0, 1, 2), weights=(35, 55, 10))[0]
        desk.queue(count)
        if count:
            outbox.build_batches(desk.ctx)
    # Mostly past any backoff (at most 1.2 h); sometimes only a second later, when nothing deferred is due.
    desk.now += timedelta(seconds=1) if rng.random() < 0.15 else timedelta(hours=2)
    due = _due(desk.ctx, desk.now)
    before = len(desk.transport.posts)
    report = sync.send_pending(desk.ctx, desk.transport, now=desk.now)
    posted = desk.transport.posts[before:]
    # In sequence order, nothing before its time, nothing past a batch still backing off (a gap).
    assert posted == due[: len(posted)], f"{desk.name} posted {posted} when due were {due}"
    assert not report.rejected, f"{desk.name}: Dinsos refused {report.rejected}"
    assert "gap" not in report.deferred.values(), f"{desk.name} sent a batch before the one it follows"
    desk.reasons.update(report.deferred.values())


def _drive(desk: Desk, seed: str, sends: int) -> None:
    """Queue, batch and send until ``sends`` posts went out, then send without new work until all is through."""
    rng = random.Random(seed)
    while len(desk.transport.posts) < sends:
        _round(desk, rng, queue=True)
    for _ in range(300):
        if not _stuck(desk):
            return
        _round(desk, rng, queue=False)


def _stuck(desk: Desk) -> list[tuple]:
    """Batches and items not yet delivered."""
    with desk.ctx.reading() as session:
        batches = [(desk.name, b.sequence, b.state, b.last_error, b.attempts, b.next_attempt_at) for b in
                   session.scalars(select(OutboxBatch).where(OutboxBatch.state != outbox.BATCH_DELIVERED))]
        items = [(desk.name, i.proposal_id, i.state, i.batch_id) for i in
                 session.scalars(select(OutboxItem).where(OutboxItem.state != outbox.DELIVERED))]
    return batches + items


def _check_office(desk: Desk, server_ctx) -> None:
    with desk.ctx.reading() as session:
        server_key = sync.server_key(session)
        office_id = office_keys.server_office_id(session)
        batches = session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence)).all()
        items = session.scalars(select(OutboxItem)).all()
        states = Counter(session.scalars(select(Proposal.state).where(Proposal.id.in_(desk.queued))))
    # Nothing lost, nothing twice in the office: one outbox item per queued proposal, each delivered once.
    assert sorted(i.proposal_id for i in items) == sorted(desk.queued)
    assert {i.state for i in items} == {outbox.DELIVERED}
    assert states == Counter({"received": len(desk.queued)})
    assert [b.sequence for b in batches] == list(range(1, len(batches) + 1))
    # Every post either delivered a batch, once, or was deferred to a later round.
    assert len(desk.transport.posts) == len(batches) + sum(desk.reasons.values())
    assert set(desk.transport.posts) == {b.batch_id for b in batches}
    by_batch: dict[str, list[str]] = {}
    for item in items:
        by_batch.setdefault(item.batch_id, []).append(item.proposal_id)
    for batch in batches:
        assert batch.state == outbox.BATCH_DELIVERED, (desk.name, batch.sequence, batch.state, batch.last_error)
        receipt = Receipt.from_dict(json.loads(batch.receipt))
        verify_receipt(receipt, server_key, expected_batch_hash=batch.batch_hash)
        assert sorted(receipt.accepted_items) == sorted(by_batch[batch.batch_id])
    # The server holds the same chain: same batches, same hashes, in the same order.
    with server_ctx.reading() as session:
        stored = session.execute(select(Batch.sequence, Batch.batch_id, Batch.batch_hash)
                                 .where(Batch.office_id == office_id).order_by(Batch.sequence)).all()
        items_there = Counter(session.scalars(select(Item.item_id).where(Item.office_id == office_id)))
    assert [tuple(row) for row in stored] == [(b.sequence, b.batch_id, b.batch_hash) for b in batches]
    assert items_there == Counter(desk.queued)


@pytest.mark.slow
def test_a_thousand_faulty_sends_deliver_every_item_exactly_once(server, offices):
    server_ctx, port, server_errors = server
    office_a, office_b = offices
    # One proxy per office, each with its own seed: the offices send at the same time, and each one's
    # faults still come in the same order on every run.
    with (FaultProxy(port, RATES, seed=SEED, client_timeout=TIMEOUT[1]) as proxy_a,
          FaultProxy(port, RATES, seed=SEED + 1, client_timeout=TIMEOUT[1]) as proxy_b):
        print(f"fault run: seed={SEED} rates={RATES}")
        desks = [
            Desk("A", office_a, Counting(HttpTransport(proxy_a.url, timeout=TIMEOUT, retry=NO_RETRY)), 1),
            Desk("B", office_b, Counting(HttpTransport(proxy_b.url, timeout=TIMEOUT, retry=ONE_RETRY)), 5001),
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = [pool.submit(_drive, desk, f"{SEED}-{desk.name}", SENDS // 2) for desk in desks]
            failures = [run.exception() for run in runs]
        counts = proxy_a.counts + proxy_b.counts
        errors = proxy_a.errors + proxy_b.errors
    sends = sum(len(d.transport.posts) for d in desks)
    summary = f"seed={SEED} sends={sends} counts={dict(sorted(counts.items()))}"
    print(f"{summary}; deferred A={dict(desks[0].reasons)} B={dict(desks[1].reasons)}; "
          f"server errors {dict(server_errors.types)}")
    for failure in failures:
        if failure is not None:
            raise AssertionError(f"{failure} ({summary})") from failure

    assert not errors, f"the proxy itself failed: {errors[:3]} ({summary})"
    # A body cut short is a 400 logged at INFO (app._read_capped): the server logs no error at all.
    assert not server_errors.types, server_errors.types
    stuck = [row for d in desks for row in _stuck(d)]
    assert not stuck, f"still undelivered after the drain: {stuck[:5]} ({summary})"
    assert sends >= SENDS
    for mode in MODES:
        assert counts[mode] >= MIN_PER_MODE, f"{mode} fired {counts[mode]} times ({summary})"
    # The faults reached send_pending (office A has no retries); the server never failed by itself
    # (the proxy answers 502/503, never 500); committed batches were sent again.
    reasons = desks[0].reasons + desks[1].reasons
    assert desks[0].reasons["unreachable"] >= MIN_PER_MODE and desks[0].reasons["http_503"] >= 1
    # reset_reply after the headers is a reply cut mid-body: said as such (cut_off), not "unreachable".
    assert set(reasons) <= {"unreachable", "cut_off", "http_502", "http_503"}, reasons
    assert any(n > 1 for d in desks for n in Counter(d.transport.posts).values())

    with server_ctx.reading() as session:
        stored = Counter(session.scalars(select(Item.item_id)))
        held = session.scalar(select(func.count()).select_from(HeldBatch))
    queued = [pid for d in desks for pid in d.queued]
    assert len(queued) == len(set(queued)) > 0
    assert stored == Counter(queued), f"server items differ: {len(stored)} stored vs {len(queued)} queued ({summary})"
    assert held == 0
    for desk in desks:
        _check_office(desk, server_ctx)


def test_batches_behind_one_backing_off_wait_for_it(linked, dinsos):  # noqa: F811 (fixtures)
    """The fault the long run found: a deferred batch's successors went out first and were held as a gap."""
    queue_ready(linked, 61)
    outbox.build_batches(linked)
    queue_ready(linked, 62)
    outbox.build_batches(linked)
    dinsos.fail_next = 1
    now = utcnow()
    first = sync.send_pending(linked, dinsos, now=now)
    assert len(first.deferred) == 1 and dinsos.posts == 1
    # A second later the first batch still backs off, so the second one must not go ahead of it.
    assert sync.send_pending(linked, dinsos, now=now + timedelta(seconds=1)).delivered == []
    assert dinsos.posts == 1
    later = sync.send_pending(linked, dinsos, now=now + timedelta(hours=2))
    assert len(later.delivered) == 2 and dinsos.posts == 3
