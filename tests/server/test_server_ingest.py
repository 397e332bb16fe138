"""Ingest: receipts, idempotency, conflicts, sequence rules, held batches, revocation and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.server.errors import BatchConflict
from app.server.ingest import ACCEPTED, DUPLICATE, HELD, ingest
from app.server.models import Batch, HeldBatch, Item
from app.sync import keys
from app.sync.batch import BatchItem
from app.sync.certificates import issue_revocation
from app.sync.errors import BatchRejected
from app.sync.receipt import Receipt, verify_receipt
from bench.server_world import NOW, nik


def count(ctx, model) -> int:
    with ctx.reading() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_valid_batch_gets_a_receipt_the_office_can_verify(ctx, kelurahan):
    sealed, digest, signed = kelurahan.batch(kelurahan.items([nik(1), nik(2)]))
    result = ingest(ctx, sealed)
    assert result.outcome == ACCEPTED
    receipt = Receipt.from_bytes(result.receipt)
    verify_receipt(receipt, ctx.keys.server_public, expected_batch_hash=digest)
    assert list(receipt.accepted_items) == [i.item_id for i in signed.items]
    assert count(ctx, Item) == 2


def test_same_batch_again_returns_the_same_receipt_and_adds_nothing(ctx, kelurahan):
    sealed, _, _ = kelurahan.batch()
    first = ingest(ctx, sealed)
    again = ingest(ctx, sealed)
    assert again.outcome == DUPLICATE and again.receipt == first.receipt
    assert count(ctx, Batch) == 1 and count(ctx, Item) == 1


def test_same_batch_id_with_other_content_is_a_conflict(ctx, kelurahan):
    sealed, _, signed = kelurahan.batch()
    ingest(ctx, sealed)
    other, _, _ = kelurahan.batch(sequence=1, prev="0" * 64, batch_id=signed.batch_id, advance=False)
    with pytest.raises(BatchConflict):
        ingest(ctx, other)
    assert count(ctx, Item) == 1


def test_rollback_and_prev_hash_mismatch(ctx, kelurahan):
    ingest(ctx, kelurahan.batch()[0])
    ingest(ctx, kelurahan.batch()[0])
    rewritten, _, _ = kelurahan.batch(sequence=1, prev="0" * 64, advance=False)
    with pytest.raises(BatchRejected) as err:
        ingest(ctx, rewritten)
    assert err.value.reason == "rollback"
    wrong_prev, _, _ = kelurahan.batch(prev="ab" * 32, advance=False)
    with pytest.raises(BatchRejected) as err:
        ingest(ctx, wrong_prev)
    assert err.value.reason == "prev_hash_mismatch"
    assert count(ctx, Batch) == 2


def test_gap_is_held_then_applied_when_the_missing_batch_arrives(ctx, kelurahan):
    first, _, _ = kelurahan.batch()
    second, _, _ = kelurahan.batch()
    third, _, _ = kelurahan.batch()
    held = ingest(ctx, third)
    assert held.outcome == HELD and held.expected_sequence == 1
    assert ingest(ctx, second).outcome == HELD
    assert ingest(ctx, third).outcome == HELD  # a resend of a held batch is still held, not doubled
    assert count(ctx, Item) == 0 and count(ctx, HeldBatch) == 2
    result = ingest(ctx, first)
    assert result.outcome == ACCEPTED and len(result.applied_from_hold) == 2
    assert count(ctx, Batch) == 3 and count(ctx, HeldBatch) == 0 and count(ctx, Item) == 3
    assert ingest(ctx, third).outcome == DUPLICATE  # and now its receipt is there


def test_revoked_certificate_after_the_boundary_is_refused_before_accepted(ctx, kelurahan):
    ingest(ctx, kelurahan.batch()[0])
    revocation = issue_revocation(kelurahan.authority, kelurahan.cert, effective_after_sequence=2,
                                  reason="operator left", issued_at=NOW)
    item = BatchItem.create(item_id="5f0c8d2e-3b1a-4c6d-9e8f-7a6b5c4d3e2f", item_type="revocation",
                            payload=revocation.to_dict())
    ingest(ctx, kelurahan.batch([item, *kelurahan.items([nik(5)])])[0])  # sequence 2: still valid
    sealed, _, _ = kelurahan.batch(advance=False)  # sequence 3 by the revoked certificate
    with pytest.raises(BatchRejected) as err:
        ingest(ctx, sealed)
    assert err.value.reason == "revoked"
    new_operator = keys.generate_ed25519()
    kelurahan.cert, kelurahan.operator = kelurahan.certify(new_operator), new_operator
    assert ingest(ctx, kelurahan.batch()[0]).outcome == ACCEPTED


def test_expired_certificate_is_refused(ctx, kelurahan):
    old = kelurahan.certify(kelurahan.operator, valid_from=NOW - timedelta(days=400),
                            valid_until=NOW - timedelta(days=1), issued_at=NOW - timedelta(days=400))
    sealed, _, _ = kelurahan.batch(cert=old, advance=False)
    with pytest.raises(BatchRejected) as err:
        ingest(ctx, sealed)
    assert err.value.reason == "expired"
    assert count(ctx, Batch) == 0


def test_a_flipped_bit_is_refused_and_nothing_stored(ctx, kelurahan):
    sealed, _, _ = kelurahan.batch(advance=False)
    for position in (3, 40, len(sealed) // 2, len(sealed) - 40):
        damaged = bytearray(sealed)
        damaged[position] ^= 0x04
        with pytest.raises(Exception) as err:
            ingest(ctx, bytes(damaged))
        assert getattr(err.value, "reason", None) in {"damaged", "truncated", "too_large"}
    assert count(ctx, Batch) == 0 and count(ctx, Item) == 0


def test_a_file_cut_at_every_4k_boundary_is_refused_and_nothing_stored(ctx, kelurahan):
    sealed, _, _ = kelurahan.batch(kelurahan.items([nik(i) for i in range(60)]), advance=False)
    assert len(sealed) > 3 * 4096
    for cut in range(0, len(sealed), 4096):
        with pytest.raises(Exception) as err:
            ingest(ctx, sealed[:cut])
        assert getattr(err.value, "reason", None) in {"truncated", "damaged"}, cut
    assert count(ctx, Batch) == 0 and count(ctx, HeldBatch) == 0


def test_duplicate_nik_across_two_offices_is_flagged(ctx, kelurahan):
    from app.server.review import list_duplicates
    from bench.server_world import enrol

    other = enrol(ctx, "b", village="35.75.03.1002")
    ingest(ctx, kelurahan.batch(kelurahan.items([nik(7), nik(8)]))[0])
    same_office = ingest(ctx, kelurahan.batch(kelurahan.items([nik(7)]))[0])
    assert same_office.duplicates == 0  # a new version within one office is not a cross-office duplicate
    result = ingest(ctx, other.batch(other.items([nik(7), nik(9)]))[0])
    assert result.duplicates == 2  # both earlier items of office a name that NIK
    flags = list_duplicates(ctx)
    assert {f["other_office_id"] for f in flags} == {kelurahan.office_id}
    assert all(f["nik"] == nik(7) for f in flags)


def test_unknown_office_is_refused(ctx, kelurahan):
    from app.server.errors import UnknownOffice
    from bench.server_world import det_uuid

    kelurahan.office_id = det_uuid("nobody")
    kelurahan.cert = kelurahan.certify(kelurahan.operator)
    with pytest.raises(UnknownOffice):
        ingest(ctx, kelurahan.batch()[0])
