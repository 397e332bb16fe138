"""The office's sync as a state machine (hypothesis): lost replies, crashes, restarts and USB never lose
or double an item.

One office and one real Dinsos server (ServerContext on SQLite) per example, in a temporary folder.
The server is called in-process by InProcessDinsos, which can lose its reply after the server
committed or fail before the request arrived. A crash copies the office folder as it is on disk
(what a killed process leaves) and carries on from the copy; the old context is never closed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from app.clock import utcnow
from app.domain import workflow
from app.server import models as server_models
from app.server.cli import import_files
from app.server.config import Settings
from app.server.context import open_server
from app.services import attachments, outbox, proposal_io, proposals, sync
from app.services.office import create_office, open_office
from app.storage.models import Proposal
from app.storage.sync_models import OutboxBatch, OutboxItem, SyncLink
from app.storage.vault import KdfParams
from app.sync.transport_file import receipt_files_in
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS, VILLAGE
from tests.fakes.in_process_dinsos import InProcessDinsos, link_to_server
from tests.fakes.sync_world import PDF, nik

CI = bool(os.environ.get("CI"))
EXAMPLES = int(os.environ.get("USULKAN_SYNC_MACHINE_EXAMPLES", "30"))
STEPS = int(os.environ.get("USULKAN_SYNC_MACHINE_STEPS", "30"))
# Honest office, honest server: no refusal may ever happen, only deferrals.
QUEUED_ITEM_STATES = {outbox.PENDING, outbox.BATCHED, outbox.DELIVERED}


class Crash(BaseException):
    """The process dies here: not an Exception, so no service code catches it."""


class CrashingDinsos(InProcessDinsos):
    """Adds two crash points to a post: before the request leaves, or after the server committed."""

    crash: str | None = None

    def post_batch(self, sealed: bytes) -> dict:
        crash, self.crash = self.crash, None
        if crash == "before_commit":
            raise Crash()
        receipt = super().post_batch(sealed)
        if crash == "after_commit":
            raise Crash()
        return receipt


class SyncMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="usulkan-sync-machine-"))
        self.abandoned = []  # contexts of "dead processes": disposed only at teardown
        self.server = open_server(Settings(data_dir=self.tmp / "server"))
        self.folder = self.tmp / "office-0"
        created = create_office(self.folder, name="Kelurahan Bugul Kidul", village_code=VILLAGE,
                                lurah_name="Bapak Lurah", lurah_passphrase=LURAH_PASS,
                                operator_name="Ani Operator", operator_passphrase=OPERATOR_PASS,
                                kdf=KdfParams.for_tests())
        self.operator_id, self.lurah_id = created.operator_id, created.lurah_id
        lurah = open_office(self.folder, created.lurah_id, LURAH_PASS)
        self.office = open_office(self.folder, self.operator_id, OPERATOR_PASS)
        try:
            self.dinsos = link_to_server(self.server, lurah, self.office, CrashingDinsos)
        finally:
            lurah.close()
        with self.office.reading() as session:
            self.server_office_id = session.get(SyncLink, 1).server_office_id
        self.stick = self.tmp / "stick"
        self.stick.mkdir()
        self.now = utcnow()
        self.serial = 0
        self.crashes = 0
        self.drafts: dict[str, int] = {}  # proposal id -> NIK serial
        self.serials: dict[str, int] = {}  # proposal id -> NIK serial, drafts or not
        self.addresses: dict[str, str] = {}  # proposal id -> the address last saved
        self.queued: set[str] = set()  # every proposal id ever queued: must reach Dinsos, never twice
        self.revised: set[str] = set()  # queued ones replaced by a new version (may be dropped unsent)

    def teardown(self):
        for ctx in [self.office, *self.abandoned]:
            ctx.close()
        self.server.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- proposals --------------------------------------------------------------------------------
    @initialize(routes=st.lists(st.sampled_from(["muskel", "sptjm"]), min_size=1, max_size=3))
    def some_work_queued(self, routes):
        for route in routes:
            self._queue(self._new_draft(), route)

    def _new_draft(self) -> str:
        self.serial += 1
        data = factories.household_with([nik(self.serial)])
        summary = proposals.add_proposal(self.office, proposal_io.proposal_from_dict(data))
        self.drafts[summary.id] = self.serials[summary.id] = self.serial
        self.addresses[summary.id] = data["household"]["address"]
        return summary.id

    def _queue(self, pid: str, route: str = "muskel") -> None:
        if route == "muskel":
            proposals.apply_action(self.office, pid, workflow.Action.SEND_TO_MUSKEL)
            doc = attachments.attach_to_proposal(self.office, pid, kind="muskel_minutes", filename="ba.pdf",
                                                 data=PDF)
            proposals.apply_action(self.office, pid, workflow.Action.RECORD_MUSKEL_DECISION,
                                   data={"decision": "eligible", "minutes_attachment_id": doc.id})
        else:  # the SPTJM route: its batch waits in the outbox for the Lurah's countersignature
            proposals.apply_action(self.office, pid, workflow.Action.SEND_TO_SPTJM)
            doc = attachments.attach_to_proposal(self.office, pid, kind="sptjm", filename="sptjm.pdf", data=PDF)
            factories.record_sptjm(self.office, pid, doc.id, LURAH_PASS)
        outbox.queue_proposal(self.office, pid)
        del self.drafts[pid]
        self.queued.add(pid)

    @rule()
    def create_draft(self):
        self._new_draft()

    @precondition(lambda self: self.drafts)
    @rule(pick=st.integers(min_value=0), address=st.sampled_from(["JL. MAWAR NO. 3", "JL. MELATI GG. 2"]))
    def edit_draft(self, pick, address):
        pid = sorted(self.drafts)[pick % len(self.drafts)]
        data = factories.household_with([nik(self.drafts[pid])])
        data["household"]["address"] = address
        proposals.update_proposal(self.office, pid, proposal_io.proposal_from_dict(data))
        self.addresses[pid] = address

    @precondition(lambda self: self.drafts)
    @rule(pick=st.integers(min_value=0), route=st.sampled_from(["muskel", "sptjm"]))
    def make_ready_and_queue(self, pick, route):
        self._queue(sorted(self.drafts)[pick % len(self.drafts)], route)

    def _revisable(self) -> list[str]:
        with self.office.reading() as session:
            return sorted(session.scalars(select(Proposal.id).where(
                Proposal.id.in_(self.queued), Proposal.state == workflow.State.QUEUED.value)))

    @precondition(lambda self: self._revisable())
    @rule(pick=st.integers(min_value=0))
    def revise_queued(self, pick):
        """Queued is immutable: a change is a new version naming its base (unsent bases are dropped)."""
        candidates = self._revisable()
        base = candidates[pick % len(candidates)]
        summary = proposals.new_version(self.office, base)
        self.revised.add(base)
        self.drafts[summary.id] = self.serials[base]
        self.serials[summary.id], self.addresses[summary.id] = self.serials[base], self.addresses[base]

    # --- outbox and transports ---------------------------------------------------------------------
    # Preconditions keep hypothesis from spending steps on no-ops (a send with nothing to send).
    def _has_pending(self) -> bool:
        with self.office.reading() as session:
            return session.scalar(select(func.count()).where(OutboxItem.state == outbox.PENDING)) > 0

    def _has_unsent(self) -> bool:
        with self.office.reading() as session:
            return session.scalar(select(func.count()).where(OutboxBatch.state.in_((outbox.READY, outbox.SENT)))) > 0

    @precondition(_has_pending)
    @rule()
    def build(self):
        outbox.build_batches(self.office)

    def _awaiting_lurah(self) -> bool:
        with self.office.reading() as session:
            return session.scalar(select(func.count()).where(OutboxBatch.state == outbox.AWAITING)) > 0

    def _countersign(self) -> None:
        lurah = open_office(self.folder, self.lurah_id, LURAH_PASS)
        try:
            factories.countersign_all(lurah)
        finally:
            lurah.close()

    @precondition(_awaiting_lurah)
    @rule()
    def lurah_countersigns(self):
        """The Lurah signs the SPTJM batches that wait (no batch is built behind one that waits)."""
        self._countersign()
        event("lurah countersigned")

    def _send(self, later: bool, *, fail: str | None = None, crash: str | None = None):
        if later:  # past any backoff, so deferred batches are tried again
            self.now += timedelta(hours=2)
        self.dinsos.fail, self.dinsos.crash = fail, crash
        try:
            return sync.send_pending(self.office, self.dinsos, now=self.now)
        finally:
            self.dinsos.fail = self.dinsos.crash = None  # armed for the first post only, if any

    @precondition(_has_unsent)
    @rule(later=st.booleans())
    def send(self, later):
        report = self._send(later)
        assert not report.rejected
        for reason in report.deferred.values():
            event(f"send deferred: {reason}")

    @precondition(_has_unsent)
    @rule(later=st.booleans())
    def send_reply_lost_after_commit(self, later):
        report = self._send(later, fail="after_commit")
        assert not report.rejected and not report.delivered

    @precondition(_has_unsent)
    @rule(later=st.booleans())
    def send_timeout_before_commit(self, later):
        report = self._send(later, fail="before_commit")
        assert not report.rejected and not report.delivered

    @rule(point=st.sampled_from(["idle", "send_before_commit", "send_after_commit"]), later=st.booleans())
    def crash(self, point, later):
        """The process dies (between two operations, or in the middle of a post); start again from disk."""
        if point != "idle":
            try:
                self._send(later, crash=point.removeprefix("send_"))
            except Crash:
                event(f"crash during a post: {point}")
        self.crashes += 1
        copy = self.tmp / f"office-{self.crashes}"
        # What is on disk, without a clean close: the database, its WAL, the vault, the attachments.
        shutil.copytree(self.folder, copy, ignore=shutil.ignore_patterns("*-shm"))
        self.abandoned.append(self.office)
        self.folder = copy
        self.office = open_office(self.folder, self.operator_id, OPERATOR_PASS)

    @rule()
    def restart(self):
        self.office.close()
        self.office = open_office(self.folder, self.operator_id, OPERATOR_PASS)

    @precondition(_has_unsent)
    @rule(lose_first=st.booleans())
    def usb_to_dinsos(self, lose_first):
        """Export what is undelivered to the stick, Dinsos imports the stick (maybe one new file got lost)."""
        exported = sync.export_ready(self.office, self.stick)
        if lose_first:
            exported[0].unlink()
            if len(exported) == 1:
                return
        results = import_files(self.server, [self.stick])
        for result in results:
            event(f"usb import: {result.outcome}")
            assert result.reason is None, (result.path.name, result.reason, result.message)
            assert result.outcome in ("accepted", "duplicate", "held")
            assert (result.receipt is not None) == (result.outcome != "held")

    @precondition(lambda self: receipt_files_in(self.stick))
    @rule()
    def receipts_to_office(self):
        for path in receipt_files_in(self.stick):
            sync.import_receipt_file(self.office, path, now=self.now)

    @rule()
    def settle(self):
        """A good connection at last: everything queued reaches Dinsos exactly once and is 'received'."""
        outbox.build_batches(self.office)
        while self._awaiting_lurah():  # the Lurah countersigns; batches behind it can then be built
            self._countersign()
            outbox.build_batches(self.office)
        report = self._send(later=True)
        assert not report.rejected and not report.deferred, report
        with self.office.reading() as session:
            assert {b for b in session.scalars(select(OutboxBatch.state))} <= {outbox.BATCH_DELIVERED}
            states = {pid: session.get(Proposal, pid).state for pid in self.queued - self.revised}
            dropped = set(session.scalars(select(OutboxItem.proposal_id).where(OutboxItem.state == outbox.SUPERSEDED)))
        assert set(states.values()) <= {"received"}, states
        assert dropped <= self.revised
        assert set(self._server_items()) == self.queued - dropped

    # --- invariants --------------------------------------------------------------------------------
    def _server_items(self) -> dict[str, str]:
        """item id -> payload hash of every item Dinsos holds from this office."""
        with self.server.reading() as session:
            return dict(session.execute(select(server_models.Item.item_id, server_models.Item.payload_hash)
                                        .where(server_models.Item.office_id == self.server_office_id)).all())

    @invariant()
    def nothing_lost_nothing_doubled(self):
        with self.office.reading() as session:
            items = {i.proposal_id: i for i in session.scalars(select(OutboxItem))}
            batches = {b.batch_id: b for b in session.scalars(select(OutboxBatch))}
            proposal_states = {pid: session.get(Proposal, pid).state for pid in self.queued}
        with self.server.reading() as session:
            server_batches = {b.batch_id: (b.sequence, b.batch_hash) for b in session.scalars(
                select(server_models.Batch).where(server_models.Batch.office_id == self.server_office_id))}
            doubled = session.execute(
                select(server_models.Item.item_id, func.count()).group_by(server_models.Item.item_id)
                .having(func.count() > 1)).all()
            head = session.get(server_models.Office, self.server_office_id)
            server_sequence, server_hash = head.last_sequence, head.last_batch_hash
        server_items = self._server_items()

        # The server holds no item twice, and only items this office queued, exactly as frozen.
        assert doubled == []
        assert set(server_items) <= self.queued
        for pid, payload_hash in server_items.items():
            assert items[pid].payload_hash == payload_hash
        # Every queued item is delivered (and at the server) or still waiting in the outbox; a
        # revised one may instead have been dropped before it was batched, and then never sent.
        for pid in self.queued:
            item = items.get(pid)
            assert item is not None, f"queued proposal {pid} vanished from the outbox"
            assert item.payload["household"]["address"] == self.addresses[pid]  # the last edit went out
            if pid in self.revised:
                assert proposal_states[pid] == "superseded"
                assert item.state in QUEUED_ITEM_STATES | {outbox.SUPERSEDED}, (pid, item.state)
            else:
                assert item.state in QUEUED_ITEM_STATES, (pid, item.state)
                expected = "received" if item.state == outbox.DELIVERED else "queued"
                assert proposal_states[pid] == expected, (pid, proposal_states[pid], item.state)
            if item.state == outbox.DELIVERED:
                assert pid in server_items
                assert batches[item.batch_id].state == outbox.BATCH_DELIVERED
            if item.state == outbox.SUPERSEDED:
                assert item.batch_id is None and pid not in server_items
            if item.state == outbox.BATCHED:
                assert batches[item.batch_id].state in (outbox.AWAITING, outbox.READY, outbox.SENT)
        # A batch the office calls delivered is at the server, with the same hash.
        for batch in batches.values():
            assert batch.state != outbox.REJECTED, (batch.sequence, batch.last_error)
            if batch.state == outbox.BATCH_DELIVERED:
                assert server_batches.get(batch.batch_id) == (batch.sequence, batch.batch_hash)
        # The server's chain is a prefix of the office's: never ahead, never different.
        by_sequence = {b.sequence: b for b in batches.values()}
        assert server_sequence <= max(by_sequence, default=0)
        for sequence, digest in server_batches.values():
            assert by_sequence[sequence].batch_hash == digest
        if server_sequence:
            assert by_sequence[server_sequence].batch_hash == server_hash


SyncMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=CI,
    database=None if CI else settings.default.database,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSyncMachine = SyncMachine.TestCase
