"""send_pending against a fake Dinsos: delivered only with a verified receipt; failures lose nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sqlalchemy import select

from app.clock import utcnow
from app.services import outbox, sync
from app.services.office import open_office
from app.storage.models import Proposal, ProposalTransition
from app.storage.sync_models import OutboxBatch, OutboxItem
from tests.conftest import OPERATOR_PASS
from tests.fakes.sync_world import Refusing, queue_ready


def _batch(ctx) -> OutboxBatch:
    with ctx.reading() as session:
        return session.scalars(select(OutboxBatch)).one()


def _states(ctx, ids) -> list[str]:
    with ctx.reading() as session:
        return [session.get(Proposal, pid).state for pid in ids]


def test_a_batch_is_delivered_once_its_receipt_verifies(linked, dinsos):
    ids = queue_ready(linked, 41, 42)
    outbox.build_batches(linked)
    report = sync.send_pending(linked, dinsos, now=utcnow())
    batch = _batch(linked)
    assert report.delivered == [batch.batch_id] and batch.state == "delivered"
    assert sync.receipt_of(linked, batch.batch_id)["batch_hash"] == batch.batch_hash
    assert _states(linked, ids) == ["received", "received"]
    with linked.reading() as session:
        assert set(session.scalars(select(OutboxItem.state))) == {"delivered"}
        steps = session.execute(select(ProposalTransition.action, ProposalTransition.actor)
                                .where(ProposalTransition.proposal_id == ids[0])).all()
    assert steps[-2:] == [("send", "system"), ("receive", "system")]
    # Nothing left to send: no second post.
    sync.send_pending(linked, dinsos, now=utcnow())
    assert dinsos.posts == 1


def test_a_receipt_that_does_not_verify_leaves_the_batch_undelivered(linked, dinsos):
    ids = queue_ready(linked, 43)
    outbox.build_batches(linked)
    dinsos.bad_receipts = True  # signed by a key that is not the certified server key
    now = utcnow()
    report = sync.send_pending(linked, dinsos, now=now)
    batch = _batch(linked)
    assert report.delivered == [] and batch.state == "sent"
    assert batch.last_error == "receipt_bad_signature" and batch.receipt is None
    assert _states(linked, ids) == ["queued"]
    dinsos.bad_receipts = False
    later = now + timedelta(hours=2)
    assert sync.send_pending(linked, dinsos, now=later).delivered == [batch.batch_id]
    assert _states(linked, ids) == ["received"]


def test_a_network_error_defers_the_batch_and_it_survives_a_restart(created_office, linked, dinsos):
    ids = queue_ready(linked, 44)
    outbox.build_batches(linked)
    dinsos.fail_next = 1
    now = utcnow()
    report = sync.send_pending(linked, dinsos, now=now)
    batch = _batch(linked)
    assert report.deferred == {batch.batch_id: "unreachable"}
    assert batch.state == "ready" and batch.attempts == 1 and batch.sealed
    assert batch.next_attempt_at > now
    # Not before its time.
    sync.send_pending(linked, dinsos, now=now + timedelta(seconds=1))
    assert dinsos.posts == 1

    # The state is in the database: a restarted office picks it up.
    linked.close()
    folder, created = created_office
    again = open_office(folder, created.operator_id, OPERATOR_PASS)
    try:
        assert sync.send_pending(again, dinsos, now=now + timedelta(hours=2)).delivered == [batch.batch_id]
        assert _states(again, ids) == ["received"]
    finally:
        again.close()


def test_a_refused_batch_is_marked_with_the_reason(linked):
    ids = queue_ready(linked, 45)
    outbox.build_batches(linked)
    report = sync.send_pending(linked, Refusing("revoked"), now=utcnow())
    batch = _batch(linked)
    assert report.rejected == {batch.batch_id: "revoked"}
    assert (batch.state, batch.last_error) == ("rejected", "revoked")
    assert _states(linked, ids) == ["queued"]


def test_a_gap_is_retried_later_not_rejected(linked):
    queue_ready(linked, 46)
    outbox.build_batches(linked)
    sync.send_pending(linked, Refusing("gap"), now=utcnow())
    batch = _batch(linked)
    assert (batch.state, batch.last_error, batch.attempts) == ("sent", "gap", 1)
    assert batch.next_attempt_at is not None


def test_batches_travel_by_usb_and_the_receipt_file_delivers_them(linked, dinsos, tmp_path):
    import json

    from app.sync.canonical import canonical_bytes
    from app.sync.transport_file import ReceiptFileDamaged

    ids = queue_ready(linked, 47)
    outbox.build_batches(linked)
    [path] = sync.export_ready(linked, tmp_path)
    receipt = dinsos.post_batch(path.read_bytes())  # Dinsos imports the file and writes its receipt
    raw = canonical_bytes(receipt)
    (tmp_path / "cut.json").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ReceiptFileDamaged):
        sync.import_receipt_file(linked, tmp_path / "cut.json", now=utcnow())
    assert _states(linked, ids) == ["queued"]
    (tmp_path / "receipt.json").write_bytes(raw)
    assert sync.import_receipt_file(linked, tmp_path / "receipt.json", now=utcnow()) == _batch(linked).batch_id
    assert _states(linked, ids) == ["received"] and _batch(linked).state == "delivered"
    assert json.loads(_batch(linked).receipt) == receipt


def test_nothing_after_a_refused_batch_is_sent_until_it_is_released(linked, lurah, dinsos):
    from app.services import keys as office_keys

    queue_ready(linked, 48)
    outbox.build_batches(linked)
    sync.send_pending(linked, Refusing("expired"), now=utcnow())
    queue_ready(linked, 49)
    outbox.build_batches(linked)  # sequence 2 chains on the refused batch
    sync.send_pending(linked, dinsos, now=utcnow())
    assert dinsos.posts == 0  # Dinsos would only hold it as a gap

    office_keys.certify_operator(lurah, linked.operator_id)  # the Lurah issues a fresh certificate
    assert outbox.release_rejected(linked) == 2
    outbox.build_batches(linked)
    with linked.reading() as session:
        rows = session.scalars(select(OutboxBatch)).all()
    assert [(b.sequence, b.state) for b in rows] == [(1, "ready")]
    assert len(sync.send_pending(linked, dinsos, now=utcnow()).delivered) == 1
