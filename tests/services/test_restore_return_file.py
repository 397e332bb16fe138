"""A restored office that works by USB stick reconciles from Dinsos's return file: nothing resent, nothing lost."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select
from tests.fakes.sync_world import queue_ready

from app.clock import utcnow
from app.errors import UsulkanError
from app.server.cli import import_files
from app.server.cli import main as server_main
from app.server.config import Settings
from app.server.context import open_server
from app.server.models import Batch, Item
from app.server.return_file import build_return_file
from app.services import backup, doctor, restore, sync
from app.services.restore_sync import ReconcileFirst, ReturnFileOlderThanBackup
from app.services.return_import import import_return_file, summary_text
from app.storage.models import Proposal
from app.storage.sync_models import OutboxBatch, OutboxItem
from app.sync.receipt import Receipt, verify_receipt
from app.sync.return_file import RETURN_SUFFIX
from tests.conftest import OPERATOR_PASS
from tests.fakes.by_file import (
    carry_batches,
    carry_return_file,
    file_only_server,
    link_by_file,
)


def _server_items(server) -> list[str]:
    with server.reading() as session:
        return list(session.scalars(select(Item.item_id).where(Item.item_type == "proposal")))


def _return_file_by_cli(data_dir, office_id, out) -> object:
    """Dinsos writes the return file with `usulkan-server return-file`, as an admin would."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"*{RETURN_SUFFIX}"):
        old.unlink()
    assert server_main(["return-file", "--data-dir", str(data_dir), "--office", office_id, "--out", str(out)]) == 0
    (made,) = out.glob(f"*{RETURN_SUFFIX}")
    return made


@pytest.fixture
def lost_pc(tmp_path, lurah, office, created_office):  # noqa: F811 - the fixture imported above
    """An office by file: batch 1 confirmed, batch 2 on the stick, C queued; backed up; then the PC carried on and died."""
    folder, _created = created_office
    stick = tmp_path / "usb"
    server = file_only_server(tmp_path / "dinsos")
    office_id = link_by_file(server, lurah, stick)
    before_anything = build_return_file(server, office_id).data  # a return file older than every batch
    [a] = queue_ready(office, 61)
    carry_batches(server, office, stick)
    carry_return_file(server, office, stick)  # batch 1 known received
    [b] = queue_ready(office, 62)
    sync.export_ready(office, stick)  # batch 2 on the stick, not yet at Dinsos
    [c] = queue_ready(office, 63)  # queued, in no batch
    info = backup.write_office_backup(folder, office.data_key, reason="manual", dest=tmp_path / "backups")
    # The old PC goes on: Dinsos imports batch 2, then batch 3 with C. Then the PC dies.
    carry_batches(server, office, stick)
    carry_batches(server, office, stick)
    assert sorted(_server_items(server)) == sorted([a, b, c])
    lurah.close()
    office.close()
    shutil.rmtree(folder)
    data_dir = server.settings.data_dir
    server.close()
    return info, data_dir, office_id, stick, (a, b, c), before_anything


def test_a_restored_office_reconciles_from_the_return_file_and_sends_by_file_without_resending(tmp_path, lost_pc):
    info, data_dir, office_id, _stick, (a, b, c), _old = lost_pc
    ctx = restore.restore_backup(info.path, tmp_path / "new-pc", operator="Ani Operator", passphrase=OPERATOR_PASS)
    try:
        assert restore.reconcile_pending(ctx)
        assert {c.code: c.status for c in doctor.run_checks(ctx)}["restored"] == "warning"
        [e] = queue_ready(ctx, 64)  # new work on the restored PC
        out = tmp_path / "usb2"
        out.mkdir()
        with pytest.raises(ReconcileFirst):  # no batch file before it knows what Dinsos holds
            sync.export_ready(ctx, out)
        assert not list(out.iterdir())

        made = _return_file_by_cli(data_dir, office_id, tmp_path / "from-dinsos")
        result = import_return_file(ctx, made, now=utcnow())
        report = result.reconciled
        assert report is not None and report.server_last_sequence == 3
        assert report.confirmed_batches == [2] and report.adopted_batches == [3]
        assert report.delivered_items == 2 and report.requeued_items == 1  # B and C received; E waits
        assert not restore.reconcile_pending(ctx)
        assert {c.code: c.status for c in doctor.run_checks(ctx)}["restored"] == "ok"
        assert "sampai nomor 3" in summary_text(result)

        written = sync.export_ready(ctx, out)
        assert len(written) == 1  # zero resent: only the new batch, number 4
        server = open_server(Settings(data_dir=data_dir, public_url=""))
        try:
            results = import_files(server, written)
            assert all(r.done for r in results)
            assert sorted(_server_items(server)) == sorted([a, b, c, e])  # zero lost, each once
            with server.reading() as session:
                assert list(session.scalars(select(Batch.sequence).order_by(Batch.sequence))) == [1, 2, 3, 4]
            carry_return_file(server, ctx, out)
        finally:
            server.close()
        with ctx.reading() as session:
            batches = session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence)).all()
            assert [(x.sequence, x.state) for x in batches] == [(n, "delivered") for n in (1, 2, 3, 4)]
            key = sync.server_key(session)
            for row in batches:  # every receipt is Dinsos's own, for exactly that batch
                verify_receipt(Receipt.from_bytes(row.receipt.encode()), key, expected_batch_hash=row.batch_hash)
            assert batches[3].prev_hash == batches[2].batch_hash
            assert {i.proposal_id: i.state for i in session.scalars(select(OutboxItem))} == {
                p: "delivered" for p in (a, b, c, e)}
            assert {session.get(Proposal, p).state for p in (a, b, c, e)} == {"received"}
        (tmp_path / "usb3").mkdir()
        assert sync.export_ready(ctx, tmp_path / "usb3") == []  # nothing left to send
    finally:
        ctx.close()


def test_a_return_file_older_than_the_backup_changes_nothing(tmp_path, lost_pc):
    info, _data_dir, _office_id, _stick, _items, before_anything = lost_pc
    ctx = restore.restore_backup(info.path, tmp_path / "new-pc", operator="Ani Operator", passphrase=OPERATOR_PASS)
    try:
        old = tmp_path / "old.usulkan-return"
        old.write_bytes(before_anything)
        with ctx.reading() as session:
            before = [(x.sequence, x.state, x.batch_id) for x in session.scalars(select(OutboxBatch))]
        with pytest.raises(ReturnFileOlderThanBackup) as err:
            import_return_file(ctx, old, now=utcnow())
        assert isinstance(err.value, UsulkanError) and "cadangan" in err.value.message().lower()
        assert restore.reconcile_pending(ctx)
        with ctx.reading() as session:
            assert [(x.sequence, x.state, x.batch_id) for x in session.scalars(select(OutboxBatch))] == before
    finally:
        ctx.close()
