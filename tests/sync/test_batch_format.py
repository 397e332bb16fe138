"""The batch: signing stages, serialisation of each stage, and every rejection reason of verify_batch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.sync import batch as batch_module
from app.sync.batch import (
    MAX_ITEMS,
    BatchItem,
    PartlySignedBatch,
    UnsignedBatch,
    batch_hash,
    build_batch,
    load_batch,
    verify_batch,
)
from app.sync.canonical import ZERO_HASH, canonical_bytes, parse_canonical
from app.sync.certificates import issue_revocation
from app.sync.errors import BatchRejected, NotCanonical, RevocationInvalid, WrongSigner
from sync_fixtures import NOW, ed25519, fixed_uuid, make_items


def verify(world, batch, **kwargs):
    kwargs.setdefault("authority_public_key", world.authority_public)
    kwargs.setdefault("now", NOW)
    return verify_batch(batch, **kwargs)


def rejected(world, batch, **kwargs) -> str:
    with pytest.raises(BatchRejected) as err:
        verify(world, batch, **kwargs)
    return err.value.reason


def test_stages_serialise_and_load_back(world):
    unsigned = build_batch(
        office_id=world.office_id,
        sequence=1,
        prev_batch_hash=ZERO_HASH,
        operator_certificate=world.cert,
        items=make_items(3, sptjm=True),
        created_at=NOW,
    )
    assert UnsignedBatch.from_bytes(unsigned.to_bytes()) == unsigned
    assert load_batch(unsigned.to_bytes()) == unsigned
    assert unsigned.needs_countersignature

    partly = unsigned.sign_operator(world.operator)
    assert not partly.is_complete
    # The partly-signed batch waits in the outbox as bytes until the Lurah countersigns.
    waiting = PartlySignedBatch.from_bytes(partly.to_bytes())
    assert waiting == partly and not waiting.is_complete
    with pytest.raises(BatchRejected):
        UnsignedBatch.from_bytes(partly.to_bytes())
    with pytest.raises(BatchRejected):
        PartlySignedBatch.from_bytes(unsigned.to_bytes())

    complete = waiting.countersign(world.authority)
    assert complete.is_complete
    assert load_batch(complete.to_bytes()) == complete
    assert complete.operator_signature == partly.operator_signature
    assert complete.unsigned.signing_bytes == unsigned.signing_bytes
    verified = verify(world, complete.to_bytes())
    assert verified.batch_hash == batch_hash(complete) == batch_hash(complete.to_bytes())


def test_a_muskel_only_batch_is_complete_with_the_operator_signature(world, make_signed):
    signed = make_signed()
    assert not signed.needs_countersignature and signed.is_complete and signed.lurah_signature is None
    verify(world, signed)


def test_only_the_certified_key_can_sign(world):
    unsigned = build_batch(
        office_id=world.office_id,
        sequence=1,
        prev_batch_hash=ZERO_HASH,
        operator_certificate=world.cert,
        items=make_items(),
        created_at=NOW,
    )
    with pytest.raises(WrongSigner):
        unsigned.sign_operator(ed25519("someone else"))


def test_the_lurah_never_countersigns_an_altered_batch(world, make_signed):
    partly = make_signed(sptjm=True, countersign=False)
    obj = parse_canonical(partly.to_bytes(), where="t")
    obj["items"][0]["route"] = "muskel"
    obj["items_hash"] = "0" * 64
    altered = PartlySignedBatch.from_bytes(canonical_bytes(obj))
    with pytest.raises(BatchRejected) as err:
        altered.countersign(world.authority)
    assert err.value.reason == "bad_signature"


def test_building_checks_like_dinsos_checks(world):
    def build(**kwargs):
        fields = dict(
            office_id=world.office_id,
            sequence=2,
            prev_batch_hash="a" * 64,
            operator_certificate=world.cert,
            items=make_items(),
            created_at=NOW,
        )
        fields.update(kwargs)
        return build_batch(**fields)

    for bad, reason in [
        ({"items": []}, "bad_format"),
        ({"sequence": 0}, "bad_format"),
        ({"sequence": 1}, "bad_format"),  # the first batch names no predecessor
        ({"prev_batch_hash": ZERO_HASH}, "bad_format"),
        ({"prev_batch_hash": "A" * 64}, "bad_format"),
        ({"office_id": fixed_uuid("another office")}, "bad_certificate"),
        ({"batch_id": "00000000-0000-1000-8000-000000000000"}, "bad_format"),  # not UUID4
        ({"items": make_items(1) * 2}, "bad_format"),  # duplicate item id
    ]:
        with pytest.raises(BatchRejected) as err:
            build(**bad)
        assert err.value.reason == reason, bad
    with pytest.raises(NotCanonical):
        BatchItem.create(item_id=fixed_uuid("i"), item_type="proposal", payload={"luas_lahan": 0.5})


def test_item_fields_are_checked(world):
    for bad in [
        {"item_type": "Proposal"},
        {"route": "lurah"},
        {"version": 0},
        {"base_id": "not-a-uuid"},
        {"item_id": "x"},
    ]:
        fields = dict(item_id=fixed_uuid("i"), item_type="proposal", payload={"a": "b"}, route="muskel")
        fields.update(bad)
        with pytest.raises(BatchRejected) as err:
            build_batch(
                office_id=world.office_id,
                sequence=1,
                prev_batch_hash=ZERO_HASH,
                operator_certificate=world.cert,
                items=[BatchItem.create(**fields)],
                created_at=NOW,
            )
        assert err.value.reason == "bad_format", bad


def test_sizes_are_capped(world, make_signed, monkeypatch):
    with pytest.raises(BatchRejected) as err:
        make_signed(items=make_items(MAX_ITEMS + 1, payload=lambda i: {"i": i}))
    assert err.value.reason == "too_large"
    big = {"text": "x" * (256 * 1024)}
    with pytest.raises(BatchRejected) as err:
        make_signed(items=make_items(1, payload=lambda i: big))
    assert err.value.reason == "too_large"
    # A batch at the limit builds; the serialised cap is checked before anything is parsed.
    signed = make_signed(items=make_items(MAX_ITEMS, payload=lambda i: {"i": i}))
    verify(world, signed)
    monkeypatch.setattr(batch_module, "MAX_BATCH_BYTES", len(signed.to_bytes()) - 1)
    assert rejected(world, signed.to_bytes()) == "too_large"
    assert rejected(world, b"x" * len(signed.to_bytes())) == "too_large"


def test_format_and_version(world, make_signed):
    obj = parse_canonical(make_signed().to_bytes(), where="t")
    assert rejected(world, canonical_bytes(obj | {"schema_version": 2})) == "unsupported_version"
    assert rejected(world, canonical_bytes(obj | {"format": "usulkan-snapshot"})) == "bad_format"
    assert rejected(world, canonical_bytes(obj | {"comment": "x"})) == "bad_format"
    assert rejected(world, b"not json") == "bad_format"


def test_payload_and_items_hash_mismatch(world, make_signed):
    obj = parse_canonical(make_signed().to_bytes(), where="t")
    obj["items"][1]["payload"]["desil"] = 1
    assert rejected(world, canonical_bytes(obj)) == "payload_hash_mismatch"
    obj = parse_canonical(make_signed().to_bytes(), where="t")
    obj["items"].reverse()
    assert rejected(world, canonical_bytes(obj)) == "items_hash_mismatch"


def test_certificate_expired_or_not_yet_valid_at_created_at(world, make_signed):
    expired = world.certify(world.operator, valid_until=NOW - timedelta(days=1), valid_from=NOW - timedelta(days=90))
    assert rejected(world, make_signed(cert=expired)) == "expired"
    early = world.certify(world.operator, valid_from=NOW + timedelta(hours=1), valid_until=NOW + timedelta(days=90))
    assert rejected(world, make_signed(cert=early)) == "not_yet_valid"
    # Validity is judged at the batch's date, not at arrival: an old batch stays acceptable.
    old = make_signed(created_at=NOW - timedelta(days=1))
    verify(world, old, now=world.cert.valid_until + timedelta(days=30))


def test_a_batch_dated_in_the_future_is_refused(world, make_signed):
    signed = make_signed(created_at=NOW + timedelta(days=2))
    assert rejected(world, signed) == "future_dated"
    verify(world, signed, now=NOW + timedelta(days=1, hours=1))


def test_certificate_from_another_office_authority(world, make_signed):
    foreign = world.certify(world.operator, authority=world.other_authority)
    assert rejected(world, make_signed(cert=foreign)) == "bad_certificate"
    # Nor does a batch pass with the other office's key as the authority.
    assert rejected(world, make_signed(), authority_public_key=world.other_authority.public_key()) == "bad_certificate"


def test_revocation_applies_after_its_sequence_boundary(world, make_signed):
    revocation = issue_revocation(
        world.authority, world.cert, effective_after_sequence=5, reason="left the office", issued_at=NOW
    )
    at_boundary = make_signed(sequence=5, prev="b" * 64)
    after = make_signed(sequence=6, prev="c" * 64)
    verify(world, at_boundary, revocations=[revocation])
    assert rejected(world, after, revocations=[revocation]) == "revoked"
    verify(world, after, revocations=[])
    # Of two revocations of the same certificate, the earlier boundary wins.
    earlier = issue_revocation(world.authority, world.cert, effective_after_sequence=4, reason="x", issued_at=NOW)
    assert rejected(world, at_boundary, revocations=[revocation, earlier]) == "revoked"


def test_a_forged_revocation_is_an_error_not_silently_ignored(world, make_signed):
    forged = issue_revocation(world.other_authority, world.cert, effective_after_sequence=0, reason="x", issued_at=NOW)
    with pytest.raises(RevocationInvalid):
        verify(world, make_signed(), revocations=[forged])


def test_sptjm_needs_the_lurah_countersignature(world, make_signed):
    assert rejected(world, make_signed(sptjm=True, countersign=False)) == "countersignature_missing"
    verify(world, make_signed(sptjm=True))


def test_countersignature_by_anyone_but_the_authority_is_refused(world, make_signed):
    for key in (world.operator, world.other_authority, ed25519("random")):
        assert rejected(world, make_signed(sptjm=True, countersigner=key)) == "bad_countersignature"


def test_operator_signature_by_another_key_is_refused(world, make_signed):
    partly = make_signed()
    forged = PartlySignedBatch(partly.unsigned, ed25519("thief").sign(partly.unsigned.signing_bytes))
    assert rejected(world, forged) == "bad_signature"


def test_sequence_and_chain(world, make_signed):
    first = make_signed(sequence=1)
    h1 = batch_hash(first)
    second = make_signed(sequence=2, prev=h1)
    stored = {1: h1}
    verify(world, first, expected_sequence=1, expected_prev_hash=ZERO_HASH)
    verify(world, second, expected_sequence=2, expected_prev_hash=h1)

    # The same batch again: a resend after a lost receipt.
    assert rejected(world, first, expected_sequence=2, expected_prev_hash=h1, accepted_hash_at=stored.get) == "replay"
    # A different batch 1: the office's history was rewritten (an old backup restored).
    other_first = make_signed(sequence=1, items=make_items(1))
    assert rejected(world, other_first, expected_sequence=2, accepted_hash_at=stored.get) == "rollback"
    assert rejected(world, first, expected_sequence=2) == "rollback"  # nothing stored to compare with
    # Batch 3 before batch 2: held, not accepted.
    third = make_signed(sequence=3, prev="d" * 64)
    err = pytest.raises(BatchRejected, verify, world, third, expected_sequence=2, expected_prev_hash=h1)
    assert err.value.reason == "gap" and err.value.params == {"sequence": 3, "expected": 2}
    # Right number, wrong predecessor.
    forked = make_signed(sequence=2, prev="e" * 64)
    assert rejected(world, forked, expected_sequence=2, expected_prev_hash=h1) == "prev_hash_mismatch"


def test_a_certificate_for_another_office_is_refused_even_under_the_same_authority_key(world):
    """An acting Lurah (Plt.) may hold one key for two kelurahan: the office ids must still match."""
    from app.sync.batch import items_hash

    items = make_items()
    # Built by hand, as an attacker would, since build_batch refuses it.
    unsigned = UnsignedBatch(
        batch_id=fixed_uuid("cross-office"),
        office_id=fixed_uuid("neighbouring office, same acting Lurah"),
        sequence=1,
        prev_batch_hash=ZERO_HASH,
        created_at=NOW,
        operator_certificate=world.cert,
        items=tuple(items),
        items_hash=items_hash(items),
    )
    assert rejected(world, unsigned.sign_operator(world.operator)) == "bad_certificate"
