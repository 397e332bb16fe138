"""Receipts: signed by the Dinsos server key, for exactly one batch."""

from __future__ import annotations

import dataclasses

import pytest

from app.sync.batch import verify_batch
from app.sync.canonical import canonical_bytes
from app.sync.errors import ReceiptInvalid
from app.sync.receipt import Receipt, receipt_for, verify_receipt
from sync_fixtures import NOW, ed25519


@pytest.fixture
def verified(world, make_signed):
    return verify_batch(make_signed(), authority_public_key=world.authority_public, now=NOW)


def test_receipt_round_trips_and_verifies(world, verified):
    receipt = receipt_for(world.server, verified, received_at=NOW)
    assert receipt.accepted_items == tuple(item.item_id for item in verified.batch.items)
    again = Receipt.from_bytes(receipt.to_bytes())
    assert again == receipt
    verify_receipt(again, world.server.public_key(), expected_batch_hash=verified.batch_hash)


def test_receipt_for_another_batch_or_from_another_key(world, verified):
    receipt = receipt_for(world.server, verified, received_at=NOW)
    with pytest.raises(ReceiptInvalid) as err:
        verify_receipt(receipt, world.server.public_key(), expected_batch_hash="0" * 64)
    assert err.value.reason == "wrong_batch"
    forged = receipt_for(ed25519("impostor"), verified, received_at=NOW)
    with pytest.raises(ReceiptInvalid) as err:
        verify_receipt(forged, world.server.public_key(), expected_batch_hash=verified.batch_hash)
    assert err.value.reason == "bad_signature"
    # Same key id claimed, signature by another key.
    relabelled = dataclasses.replace(forged, server_key_id=receipt.server_key_id)
    with pytest.raises(ReceiptInvalid):
        verify_receipt(relabelled, world.server.public_key(), expected_batch_hash=verified.batch_hash)


@pytest.mark.parametrize(
    "change",
    [
        {"accepted_items": ()},
        {"sequence": 2},
        {"batch_hash": "1" * 64},
        {"received_at": NOW.replace(year=2030)},
        {"office_id": "00000000-0000-4000-8000-000000000000"},
    ],
)
def test_any_changed_field_breaks_the_signature(world, verified, change):
    receipt = dataclasses.replace(receipt_for(world.server, verified, received_at=NOW), **change)
    with pytest.raises(ReceiptInvalid):
        verify_receipt(receipt, world.server.public_key(), expected_batch_hash=receipt.batch_hash)


def test_partial_acceptance_and_malformed_receipts(world, verified):
    first = verified.batch.items[0].item_id
    receipt = receipt_for(world.server, verified, received_at=NOW, accepted_items=[first])
    verify_receipt(receipt, world.server.public_key(), expected_batch_hash=verified.batch_hash)
    assert receipt.accepted_items == (first,)
    obj = receipt.to_dict() | {"accepted_items": [first, first]}
    for bad in (b"{}", canonical_bytes(obj), canonical_bytes(receipt.to_dict() | {"extra": 1})):
        with pytest.raises(ReceiptInvalid) as err:
            Receipt.from_bytes(bad)
        assert err.value.reason == "bad_format"
