"""A restored (older) backup against the real Dinsos server: nothing resent, nothing lost, receipts reconcile."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

pytest.importorskip("fastapi")

from tests.fakes.sync_world import link_office, queue_ready

from app.clock import utcnow
from app.server.models import Batch, Item
from app.server.provisioning import register_office
from app.server.sync_state import sync_state
from app.services import backup, outbox, restore, restore_sync, sync, sync_run
from app.storage.models import Proposal
from app.storage.sync_models import OutboxBatch, OutboxItem
from app.sync.receipt import Receipt, verify_receipt
from app.sync.transport_http import HttpTransport
from tests.conftest import OPERATOR_PASS


class Counting:
    """The real HTTP transport, counting the batches posted through it."""

    def __init__(self, inner):
        self.inner, self.posted = inner, []

    def post_batch(self, sealed):
        self.posted.append(sealed)
        return self.inner.post_batch(sealed)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _linked(server, office, lurah):
    ctx, url = server
    document = register_office(ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    link_office(lurah, office, transport, document)
    return ctx, transport


def _server_items(ctx) -> list[str]:
    with ctx.reading() as session:
        return list(session.scalars(select(Item.item_id).where(Item.item_type == "proposal")))


def test_an_older_backup_continues_the_chain_without_resending_or_losing(tmp_path, server, office, lurah,
                                                                         created_office):
    server_ctx, transport = _linked(server, office, lurah)
    folder, created = created_office
    [a] = queue_ready(office, 61)
    outbox.build_batches(office)
    sync.send_pending(office, transport, now=utcnow())  # batch 1 delivered
    [b] = queue_ready(office, 62)
    outbox.build_batches(office)  # batch 2 sealed, not sent yet
    [c] = queue_ready(office, 63)  # queued, in no batch yet
    stick = tmp_path / "stick"
    info = backup.write_office_backup(folder, office.data_key, reason="manual", dest=stick)

    # The old PC carries on after the backup: batch 2 goes, C goes in batch 3. Then it dies.
    sync.send_pending(office, transport, now=utcnow())
    outbox.build_batches(office)
    sync.send_pending(office, transport, now=utcnow())
    assert sorted(_server_items(server_ctx)) == sorted([a, b, c])
    lurah.close()
    office.close()
    shutil.rmtree(folder)

    ctx = restore.restore_backup(info.path, tmp_path / "new-pc", operator="Ani Operator", passphrase=OPERATOR_PASS)
    try:
        assert restore.reconcile_pending(ctx)
        [e] = queue_ready(ctx, 64)  # new work on the restored PC before it syncs
        counting = Counting(transport)
        report = sync_run.run_round(ctx, counting, now=utcnow())
        assert report.error is None
        # Zero resent: only the new batch went out; zero lost: Dinsos holds each item once.
        assert len(counting.posted) == 1
        assert sorted(_server_items(server_ctx)) == sorted([a, b, c, e])
        with server_ctx.reading() as session:
            assert [s for s in session.scalars(select(Batch.sequence).order_by(Batch.sequence))] == [1, 2, 3, 4]
        assert not restore.reconcile_pending(ctx)
        with ctx.reading() as session:
            batches = session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence)).all()
            assert [(x.sequence, x.state) for x in batches] == [(n, "delivered") for n in (1, 2, 3, 4)]
            server_key = sync.server_key(session)
            for row in batches:  # every receipt is Dinsos's own, for exactly that batch
                verify_receipt(Receipt.from_bytes(row.receipt.encode()), server_key, expected_batch_hash=row.batch_hash)
            assert batches[3].prev_hash == batches[2].batch_hash
            items = session.scalars(select(OutboxItem)).all()
            assert {i.proposal_id: i.state for i in items} == {p: "delivered" for p in (a, b, c, e)}
            assert {session.get(Proposal, p).state for p in (a, b, c, e)} == {"received"}
        # Another round has nothing to send and asks nothing again.
        again = Counting(transport)
        sync_run.run_round(ctx, again, now=utcnow())
        assert again.posted == []
    finally:
        ctx.close()


def test_the_newest_backup_sends_what_never_reached_dinsos(tmp_path, server, office, lurah, created_office):
    server_ctx, transport = _linked(server, office, lurah)
    folder, _created = created_office
    [a] = queue_ready(office, 71)
    outbox.build_batches(office)
    sync.send_pending(office, transport, now=utcnow())
    [b] = queue_ready(office, 72)
    outbox.build_batches(office)  # sealed, never sent: the PC dies now
    info = backup.write_office_backup(folder, office.data_key, reason="manual", dest=tmp_path / "stick")
    lurah.close()
    office.close()
    shutil.rmtree(folder)

    ctx = restore.restore_backup(info.path, tmp_path / "new-pc", operator="Ani Operator", passphrase=OPERATOR_PASS)
    try:
        counting = Counting(transport)
        assert sync_run.run_round(ctx, counting, now=utcnow()).error is None
        assert len(counting.posted) == 1  # batch 2, as it was sealed: it continues the chain
        assert sorted(_server_items(server_ctx)) == sorted([a, b])
    finally:
        ctx.close()


def test_a_forged_receipt_in_the_answer_stops_the_reconcile(tmp_path, server, office, lurah, created_office):
    server_ctx, transport = _linked(server, office, lurah)
    folder, _ = created_office
    queue_ready(office, 81)
    outbox.build_batches(office)
    info = backup.write_office_backup(folder, office.data_key, reason="manual", dest=tmp_path / "stick")
    sync.send_pending(office, transport, now=utcnow())
    lurah.close()
    office.close()
    shutil.rmtree(folder)
    ctx = restore.restore_backup(info.path, tmp_path / "new-pc", operator="Ani Operator", passphrase=OPERATOR_PASS)

    class Lying(Counting):
        def get_sync_state(self, office_id, after, token):
            page = self.inner.get_sync_state(office_id, after, token)
            page["receipts"][0]["accepted_items"] = []  # pretend Dinsos holds nothing of batch 1
            return page

    try:
        lying = Lying(transport)
        report = sync_run.run_round(ctx, lying, now=utcnow())
        assert report.error == "reconcile_failed" and lying.posted == []
        assert restore.reconcile_pending(ctx)
        with ctx.reading() as session:
            assert session.scalar(select(func.count()).select_from(OutboxBatch)) == 1
    finally:
        ctx.close()


def test_sync_state_needs_the_feed_token(server, office, lurah):
    server_ctx, transport = _linked(server, office, lurah)
    from app.storage.sync_models import SyncLink
    from app.sync.transport_http import TransportError

    with office.reading() as session:
        office_id = session.get(SyncLink, 1).server_office_id
    with pytest.raises(TransportError):
        transport.get_sync_state(office_id, 0, "not the token")
    assert sync_state(server_ctx, office_id, 0)["last_sequence"] == 0


def test_audit_verify_after_a_restore_is_clean_offline(tmp_path, server, office, lurah, created_office):
    from app.services import audit_log

    server_ctx, transport = _linked(server, office, lurah)
    folder, _ = created_office
    info = backup.write_office_backup(folder, office.data_key, reason="manual", dest=tmp_path / "stick")
    queue_ready(office, 91)
    outbox.build_batches(office)
    sync.send_pending(office, transport, now=utcnow())
    lurah.close()
    office.close()
    shutil.rmtree(folder)
    ctx = restore.restore_backup(info.path, tmp_path / "new-pc", operator="Ani Operator", passphrase=OPERATOR_PASS)
    try:
        report = restore_sync.reconcile(ctx, transport, now=utcnow())
        # The proposal made after the backup is at Dinsos only; its batch is adopted from the receipt.
        assert report.adopted_batches == [1] and report.delivered_items == 0
        assert audit_log.verify_audit(ctx).ok
    finally:
        ctx.close()


def test_doctor_online_reaches_the_server_and_compares_clocks(server, office):
    from datetime import timedelta

    from app.services import doctor

    _ctx, url = server
    checks = {c.code: c for c in doctor.run_checks(office, HttpTransport(url, timeout=(2, 5)))}
    assert checks["server"].status == "ok"
    late = office.clock() + timedelta(minutes=20)
    office.clock = lambda: late
    assert {c.code: c for c in doctor.run_checks(office, HttpTransport(url))}["server"].status == "warning"
    office.clock = utcnow
    gone = {c.code: c for c in doctor.run_checks(office, HttpTransport("http://127.0.0.1:9", timeout=(1, 1)))}
    assert gone["server"].status == "warning" and "tidak dapat dihubungi" in gone["server"].detail
