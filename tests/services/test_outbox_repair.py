"""Offices from before the fix hold queued proposals without an outbox item: the next unlock repairs them."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from app.domain import workflow
from app.services import demo, office, outbox, proposals
from app.storage import migrate
from app.storage.models import AuditEntry, Proposal
from app.storage.sync_models import DataRepair, OutboxItem
from tests.conftest import OPERATOR_PASS
from tests.fakes.sync_world import ready_proposal

FIXTURE = Path(__file__).parents[1] / "storage" / "fixtures" / "office-v0.1.0"


def _queued_without_item(ctx) -> list[str]:
    with ctx.reading() as session:
        return [r.id for r in outbox._without_item(session, (workflow.State.QUEUED,))]


def _repair_entries(ctx) -> list[dict]:
    with ctx.reading() as session:
        return [e.detail for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.repair"))]


def test_an_office_of_release_0_1_0_gets_its_queued_proposals_items_at_the_first_unlock(tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(FIXTURE, folder)
    operator_id = office.find_operator(folder, demo.DEMO_OPERATOR)
    ctx = office.open_office(folder, operator_id, demo.DEMO_OPERATOR_PASS)
    try:
        # That release queued through apply_action: two queued proposals that would never leave.
        assert ctx.repaired_outbox_items == 2
        assert _queued_without_item(ctx) == []
        with ctx.reading() as session:
            queued = session.scalars(select(Proposal).where(Proposal.state == "queued")).all()
            for row in queued:
                item = session.scalars(select(OutboxItem).where(OutboxItem.proposal_id == row.id)).one()
                assert item.state == "pending" and item.payload == outbox.payload_of(row)
            assert session.get(DataRepair, "outbox_items").result["repaired"] == 2
        [entry] = _repair_entries(ctx)
        assert entry["repaired"] == 2 and sorted(entry["proposals"]) == sorted(r.id for r in queued)
        # The demo's old pre-history (sent, received, ...) has no items: counted, not invented.
        assert entry["later_without_item"] == 7
        # The repaired items really go out: they are signed into the next batch.
        with ctx.reading() as session:
            assert sorted(i.proposal_id for i in outbox._still_queued(session)) == sorted(r.id for r in queued)
    finally:
        ctx.close()
    again = office.open_office(folder, operator_id, demo.DEMO_OPERATOR_PASS)
    try:
        assert again.repaired_outbox_items is None
        assert len(_repair_entries(again)) == 1
    finally:
        again.close()


def _old_queue(ctx, pid: str) -> None:
    """What the editor did before the fix: the QUEUE step alone, no outbox item."""
    with ctx.transaction() as session:
        proposals._take_step(ctx, session, session.get(Proposal, pid), workflow.Action.QUEUE)


def _downgrade_to_0006(ctx) -> None:
    migrate.downgrade(ctx.engine, "0006")


def test_the_repair_is_one_transaction_and_retried_after_a_failure(created_office, monkeypatch):
    folder, created = created_office
    ctx = office.open_office(folder, created.operator_id, OPERATOR_PASS)
    try:
        broken = [ready_proposal(ctx, n) for n in (91, 92)]
        for pid in broken:
            _old_queue(ctx, pid)
        fine = ready_proposal(ctx, 93)
        outbox.queue_proposal(ctx, fine)
        _downgrade_to_0006(ctx)
    finally:
        ctx.close()

    calls = []
    real = outbox._insert_item

    def fail_on_second(session, row, now):
        calls.append(row.id)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(session, row, now)

    monkeypatch.setattr(outbox, "_insert_item", fail_on_second)
    ctx = office.open_office(folder, created.operator_id, OPERATOR_PASS)
    try:
        assert ctx.repaired_outbox_items is None
        # Nothing half done: neither item, no audit entry, the request still pending.
        assert sorted(_queued_without_item(ctx)) == sorted(broken)
        assert _repair_entries(ctx) == []
    finally:
        ctx.close()
    monkeypatch.setattr(outbox, "_insert_item", real)
    ctx = office.open_office(folder, created.operator_id, OPERATOR_PASS)
    try:
        assert ctx.repaired_outbox_items == 2
        assert _queued_without_item(ctx) == []
        with ctx.reading() as session:
            assert len(session.scalars(select(OutboxItem).where(OutboxItem.proposal_id == fine)).all()) == 1
        [entry] = _repair_entries(ctx)
        assert sorted(entry["proposals"]) == sorted(broken)
    finally:
        ctx.close()


def test_a_new_office_files_no_repair_entry(office):
    assert office.repaired_outbox_items in (None, 0)
    assert _repair_entries(office) == []


def test_the_cli_and_the_window_say_how_many_were_repaired(tmp_path, qapp, monkeypatch):
    import subprocess
    import sys

    folder = tmp_path / "office"
    shutil.copytree(FIXTURE, folder)
    secret = tmp_path / "pass.txt"
    secret.write_text(demo.DEMO_OPERATOR_PASS + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), "proposal", "list", "--state", "queued",
         "--operator", demo.DEMO_OPERATOR, "--passphrase-file", str(secret), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "2 usulan di antrean tidak punya entri kotak keluar" in result.stderr
    again = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), "proposal", "list",
         "--operator", demo.DEMO_OPERATOR, "--passphrase-file", str(secret), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert "kotak keluar" not in again.stderr  # said once, at the unlock that repaired them

    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    from app.ui import settings_store
    from app.ui.main_window import MainWindow
    from app.ui.state import AppState
    from app.ui.tasks import InlineRunner

    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")
    ctx = office.open_office(other, office.find_operator(other, demo.DEMO_OPERATOR), demo.DEMO_OPERATOR_PASS)
    state = AppState(other, runner=InlineRunner())
    state.sign_in(ctx)
    window = MainWindow(state)
    try:
        assert "2 usulan di antrean" in window.repair_label.text()
    finally:
        window.scheduler.stop()
        window.deleteLater()
        state.ctx = None
        ctx.close()
