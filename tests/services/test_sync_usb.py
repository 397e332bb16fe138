"""Batches to Dinsos on a USB stick and receipts back: office export -> server import-file -> office import."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.server.cli import main as server_main
from app.server.config import Settings
from app.server.context import open_server
from app.server.models import Batch, Item
from app.services import outbox, sync
from app.storage.models import Proposal
from app.storage.sync_models import OutboxBatch, SyncLink
from app.sync.errors import ReceiptInvalid
from app.sync.transport_file import (
    ReceiptFileDamaged,
    batch_file_name,
    receipt_file_name,
    receipt_files_in,
    write_receipt_file,
)
from tests.fakes.in_process_dinsos import link_to_server
from tests.fakes.sync_world import queue_ready


@pytest.fixture
def server(tmp_path):
    ctx = open_server(Settings(data_dir=tmp_path / "server"))
    yield ctx
    ctx.close()


@pytest.fixture
def dinsos(server, lurah, office):
    return link_to_server(server, lurah, office)


def _batches(ctx) -> dict[str, str]:
    with ctx.reading() as session:
        return dict(session.execute(select(OutboxBatch.batch_id, OutboxBatch.state)).all())


def _states(ctx, ids) -> list[str]:
    with ctx.reading() as session:
        return [session.get(Proposal, pid).state for pid in ids]


def _server_items(server) -> list[str]:
    with server.reading() as session:
        return sorted(session.scalars(select(Item.item_id)))


def test_batches_go_by_usb_and_the_receipts_come_back(office, dinsos, server, tmp_path, capsys):
    first = queue_ready(office, 61, 62)
    outbox.build_batches(office)
    second = queue_ready(office, 63)
    outbox.build_batches(office)
    stick = tmp_path / "stick"
    stick.mkdir()
    exported = sync.export_ready(office, stick)
    assert len(exported) == 2

    # At Dinsos: the command-line import writes a receipt beside each batch file.
    assert server_main(["import-file", "--data-dir", str(tmp_path / "server"), str(stick)]) == 0
    assert capsys.readouterr().out.count("accepted batch") == 2
    receipts = receipt_files_in(stick)
    assert [p.name for p in receipts] == [p.name.replace(".usulkan-batch", ".usulkan-receipt") for p in exported]
    assert set(_batches(office).values()) == {"ready"}  # Dinsos has them, but the office waits for proof
    assert _server_items(server) == sorted(first + second)

    # Back at the office: each receipt file delivers its batch.
    delivered = [sync.import_receipt_file(office, path, now=utcnow()) for path in receipts]
    with office.reading() as session:
        assert delivered == list(session.scalars(select(OutboxBatch.batch_id).order_by(OutboxBatch.sequence)))
    assert set(_batches(office).values()) == {"delivered"}
    assert _states(office, first + second) == ["received"] * 3
    assert _server_items(server) == sorted(first + second)
    # Importing the same files again changes nothing; exporting again finds nothing to send.
    assert [sync.import_receipt_file(office, path, now=utcnow()) for path in receipts] == delivered
    assert sync.export_ready(office, tmp_path / "empty") == []


def test_a_batch_whose_reply_was_lost_is_settled_by_the_usb_receipt(office, dinsos, server, tmp_path, capsys):
    ids = queue_ready(office, 64)
    outbox.build_batches(office)
    dinsos.fail = "after_commit"
    report = sync.send_pending(office, dinsos, now=utcnow())
    [batch_id] = report.deferred
    assert _batches(office) == {batch_id: "ready"} and _server_items(server) == ids  # Dinsos has it already

    stick = tmp_path / "stick"
    stick.mkdir()
    [path] = sync.export_ready(office, stick)
    out_dir = tmp_path / "receipts"
    assert server_main(["import-file", "--data-dir", str(tmp_path / "server"), "--receipts", str(out_dir),
                        str(path)]) == 0
    assert "duplicate batch" in capsys.readouterr().out
    with server.reading() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 1
    [receipt] = receipt_files_in(out_dir)
    with office.reading() as session:
        server_office_id = session.get(SyncLink, 1).server_office_id
    assert (path.name, receipt.name) == (batch_file_name(server_office_id, 1), receipt_file_name(server_office_id, 1))
    assert sync.import_receipt_file(office, receipt, now=utcnow()) == batch_id
    assert _batches(office) == {batch_id: "delivered"} and _states(office, ids) == ["received"]
    assert _server_items(server) == ids


def test_a_tampered_receipt_file_changes_nothing(office, dinsos, server, tmp_path, capsys):
    ids = queue_ready(office, 65)
    outbox.build_batches(office)
    stick = tmp_path / "stick"
    stick.mkdir()
    sync.export_ready(office, stick)
    assert server_main(["import-file", "--data-dir", str(tmp_path / "server"), str(stick)]) == 0
    [receipt] = receipt_files_in(stick)
    raw = receipt.read_bytes()
    assert b'"sequence":1,' in raw
    receipt.write_bytes(raw.replace(b'"sequence":1,', b'"sequence":2,'))
    with pytest.raises(ReceiptInvalid) as caught:  # still well-formed, but the signature no longer holds
        sync.import_receipt_file(office, receipt, now=utcnow())
    assert caught.value.reason == "bad_signature"
    receipt.write_bytes(raw[:-3])
    with pytest.raises(ReceiptFileDamaged):
        sync.import_receipt_file(office, receipt, now=utcnow())
    assert set(_batches(office).values()) == {"ready"} and _states(office, ids) == ["queued"]
    receipt.write_bytes(raw)
    sync.import_receipt_file(office, receipt, now=utcnow())
    assert _states(office, ids) == ["received"]


def test_only_a_well_formed_receipt_is_put_on_the_stick(tmp_path):
    with pytest.raises(ReceiptInvalid):
        write_receipt_file(b'{"format":"usulkan-receipt"}', tmp_path)
    assert list(tmp_path.iterdir()) == []
