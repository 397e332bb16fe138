"""Document references in the signed item and sealed documents: caps, tampering, wrong office."""

from __future__ import annotations

import hashlib
import os

import pytest

from app.sync import documents as docs
from app.sync.batch import BatchItem, PartlySignedBatch
from app.sync.documents import DocumentRef, DocumentRefused, open_document, ref_for, refs_in, seal_document, with_documents
from sync_fixtures import fixed_uuid, make_items

PDF = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"


def test_refs_ride_in_the_signed_payload_and_read_back(make_signed):
    ref = ref_for(PDF, kind="kk", media_type="application/pdf")
    payload = with_documents(make_items(1)[0].payload, [ref])
    item = BatchItem.create(item_id=fixed_uuid("item-docs"), item_type="proposal", payload=payload)
    batch = make_signed(items=[item])
    again = PartlySignedBatch.from_bytes(batch.to_bytes())
    assert refs_in(again.items[0].payload) == (ref,)
    assert ref.sha256 == hashlib.sha256(PDF).hexdigest() and ref.size == len(PDF)


def test_no_documents_leaves_the_payload_as_it_was():
    payload = {"kind": "new"}
    assert with_documents(payload, []) == payload
    assert refs_in(payload) == ()


def test_seal_and_open_checks_hash_and_office(world):
    ref = ref_for(PDF, kind="kk", media_type="application/pdf")
    sealed = seal_document(PDF, ref, world.dinsos_x25519.public_key(), office_id=world.office_id)
    assert PDF not in sealed
    assert open_document(sealed, ref, world.dinsos_x25519, office_id=world.office_id) == PDF
    with pytest.raises(DocumentRefused) as err:
        open_document(sealed, ref, world.dinsos_x25519, office_id=fixed_uuid("another office"))
    assert err.value.reason == "wrong_office"


def test_a_different_document_under_a_reference_is_refused(world):
    ref = ref_for(PDF, kind="kk", media_type="application/pdf")
    other = PDF.replace(b"x", b"y", 1)
    # Sealed honestly, but its bytes are not the referenced ones.
    forged_ref = DocumentRef(ref.sha256, ref.kind, ref.media_type, len(other))
    with pytest.raises(DocumentRefused):
        seal_document(other, forged_ref, world.dinsos_x25519.public_key(), office_id=world.office_id)
    sealed_other = docs.seal(other, world.dinsos_x25519.public_key(), batch_id=ref.envelope_id, office_id=world.office_id)
    with pytest.raises(DocumentRefused) as err:
        open_document(sealed_other, ref, world.dinsos_x25519, office_id=world.office_id)
    assert err.value.reason == "hash_mismatch"


@pytest.mark.parametrize(
    "refs, reason",
    [
        ([DocumentRef("a" * 64, "kk", "image/jpeg", docs.MAX_DOCUMENT_BYTES + 1)], "document_too_large"),
        ([DocumentRef(f"{i:064x}", "kk", "image/jpeg", 10) for i in range(13)], "too_many_documents"),
        ([DocumentRef(f"{i:064x}", "kk", "image/jpeg", 9 * 1024 * 1024) for i in range(5)], "item_too_large"),
        ([DocumentRef("a" * 64, "kk", "text/html", 10)], "type_not_allowed"),
    ],
)
def test_caps_refused_when_building_and_when_reading(refs, reason):
    with pytest.raises(DocumentRefused) as err:
        with_documents({}, refs)
    assert err.value.reason == reason
    with pytest.raises(DocumentRefused) as err:
        refs_in({"documents": [r.to_dict() for r in refs]})
    assert err.value.reason == reason
    assert err.value.message()  # an operator-readable sentence, not a code


@pytest.mark.parametrize(
    "documents",
    [
        "not a list",
        [{"sha256": "zz", "kind": "kk", "media_type": "image/png", "size": 1}],
        [{"sha256": "a" * 64, "kind": "kk", "media_type": "image/png", "size": 1, "extra": 1}],
        [{"sha256": "a" * 64, "kind": "kk", "media_type": "image/png", "size": True}],
        [{"sha256": "a" * 64, "kind": "kk", "media_type": "image/png", "size": 1}] * 2,
    ],
)
def test_malformed_lists_are_refused(documents):
    with pytest.raises(DocumentRefused) as err:
        refs_in({"documents": documents})
    assert err.value.reason == "bad_format"


def test_oversize_sealed_document_refused_before_decrypting(world):
    data = b"\xff\xd8\xff" + os.urandom(2000) + b"\xff\xd9"
    ref = ref_for(data, kind="house_photo", media_type="image/jpeg")
    sealed = seal_document(data, ref, world.dinsos_x25519.public_key(), office_id=world.office_id)
    small = DocumentRef(ref.sha256, ref.kind, ref.media_type, 10)
    with pytest.raises(DocumentRefused) as err:
        open_document(sealed, small, world.dinsos_x25519, office_id=world.office_id)
    assert err.value.reason == "document_too_large"
