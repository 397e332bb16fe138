"""Outbox: queueing writes the state change and the outbox row together; batches chain and wait for SPTJM."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.services import keys as office_keys
from app.services import lurah as lurah_service
from app.services import outbox
from app.storage.models import Proposal, ProposalTransition
from app.storage.sync_models import OutboxBatch, OutboxItem
from app.sync import keys
from app.sync.batch import PartlySignedBatch, batch_hash, verify_batch
from app.sync.canonical import ZERO_HASH
from app.sync.envelope import open_envelope
from tests import factories
from tests.fakes.sync_world import queue_ready, ready_proposal


def _count(ctx, model) -> int:
    with ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def _batches(ctx) -> list[OutboxBatch]:
    with ctx.reading() as session:
        return list(session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence)))


def test_queueing_writes_the_state_and_a_frozen_payload_together(office):
    pid = ready_proposal(office, 11)
    outbox.queue_proposal(office, pid)
    with office.reading() as session:
        assert session.get(Proposal, pid).state == "queued"
        item = session.scalars(select(OutboxItem)).one()
    assert item.proposal_id == pid and item.state == "pending" and item.route == "muskel"
    # Header facts travel in the item header, local state not at all.
    assert not {"id", "state", "version", "base_id", "route"} & set(item.payload)
    assert item.payload["household"]["members"][0]["nik"].startswith("357503")


def test_a_failure_while_writing_the_outbox_row_rolls_back_the_queue_step(office, monkeypatch):
    pid = ready_proposal(office, 12)
    transitions = _count(office, ProposalTransition)

    def broken(row):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "payload_of", broken)
    with pytest.raises(RuntimeError):
        outbox.queue_proposal(office, pid)
    with office.reading() as session:
        assert session.get(Proposal, pid).state == "ready"
    assert _count(office, OutboxItem) == 0
    assert _count(office, ProposalTransition) == transitions


def test_batches_chain_and_an_sptjm_batch_waits_for_the_lurah(linked, lurah, dinsos):
    office = linked
    queue_ready(office, 21, 22)
    [sptjm_id] = queue_ready(office, 23, route="sptjm")
    made = outbox.build_batches(office)
    assert len(made) == 2
    first, second = _batches(office)
    assert (first.sequence, first.prev_hash, first.state) == (1, ZERO_HASH, "ready")
    assert first.batch_hash == batch_hash(first.signed) and first.sealed
    # The SPTJM item sits alone in the last batch, signed by the operator, not yet chained or sealed.
    assert (second.sequence, second.prev_hash, second.state) == (2, first.batch_hash, "awaiting_countersignature")
    assert second.batch_hash is None and second.sealed is None
    items = PartlySignedBatch.from_bytes(second.signed).items
    # ... with the audit head as it stood, as every batch carries it (last item).
    assert [i.item_id for i in items[:-1]] == [sptjm_id] and items[-1].item_type == "audit_head"

    # Nothing can chain after a batch whose hash is unknown: new items wait.
    queue_ready(office, 24)
    assert outbox.build_batches(office) == []
    with pytest.raises(lurah_service.ConfirmationRefused):  # the operator alone cannot add the Lurah's signature
        outbox.countersign_pending(office, None, outbox.awaiting_countersignature(office))

    assert factories.countersign_all(lurah) == [second.batch_id]
    [third_id] = outbox.build_batches(office)
    first, second, third = _batches(office)
    assert second.state == "ready" and second.batch_hash == batch_hash(second.signed)
    assert third.batch_id == third_id and (third.sequence, third.prev_hash) == (3, second.batch_hash)

    # What Dinsos opens verifies against the Lurah's authority key, in order, as one chain.
    authority = office_keys.ensure_authority_key(lurah)
    prev = ZERO_HASH
    for number, row in enumerate((first, second, third), start=1):
        plain = open_envelope(row.sealed, dinsos.x25519)
        verified = verify_batch(plain, authority_public_key=authority, now=datetime.now(UTC),
                                expected_sequence=number, expected_prev_hash=prev)
        prev = verified.batch_hash
    assert keys.fingerprint(authority) == keys.fingerprint(dinsos.authority)


def test_an_operator_without_a_certificate_cannot_build(office, lurah, dinsos):
    from app.services import provisioning

    provisioning.import_provisioning(lurah, dinsos.document())
    queue_ready(office, 31)
    with pytest.raises(office_keys.NotCertified):
        outbox.build_batches(office)
    assert _count(office, OutboxBatch) == 0
    with office.reading() as session:
        assert session.scalars(select(OutboxItem.state)).all() == ["pending"]


def test_an_item_revised_before_it_left_is_not_sent(linked):
    from app.services import proposals

    first, second = queue_ready(linked, 35, 36)
    proposals.new_version(linked, first)  # the queued version is superseded by a new draft
    [batch_id] = outbox.build_batches(linked)
    with linked.reading() as session:
        states = dict(session.execute(select(OutboxItem.proposal_id, OutboxItem.state)).all())
        signed = PartlySignedBatch.from_bytes(session.get(OutboxBatch, batch_id).signed)
    assert states == {first: "superseded", second: "batched"}
    assert [i.item_id for i in signed.items if i.item_type != "audit_head"] == [second]
