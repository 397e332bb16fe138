"""The authority hand-over (key migration 0008) at the server: only the key Dinsos holds can hand over.

Hostile cases: a rotation signed by another key, naming another old key, with a boundary that is
not the batch before, two in one batch, or sent before the batches up to its boundary.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.server.ingest import ACCEPTED, HELD, ingest
from app.server.models import Office
from app.sync import keys
from app.sync.batch import BatchItem
from app.sync.certificates import issue_authority_rotation, issue_revocation
from app.sync.errors import BatchRejected
from bench.server_world import NOW, nik


def _rotation_item(old_signer, office_id, new_public, boundary) -> BatchItem:
    rotation = issue_authority_rotation(old_signer, office_id=office_id, new_public_key=new_public,
                                        effective_after_sequence=boundary, reason="kunci baru", issued_at=NOW)
    return BatchItem.create(item_id=rotation.rotation_id, item_type="authority_rotation", payload=rotation.to_dict())


def _new_world(kelurahan):
    """A new authority key, a new operator key and its certificate by the new authority."""
    new_authority, new_operator = keys.generate_ed25519(), keys.generate_ed25519()
    real = kelurahan.authority
    kelurahan.authority = new_authority
    cert = kelurahan.certify(new_operator, valid_from=NOW - timedelta(days=1), issued_at=NOW - timedelta(days=1),
                             cert_id="6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
    kelurahan.authority = real
    return new_authority, new_operator, cert


def _authority_at_server(ctx, office_id) -> bytes:
    with ctx.reading() as session:
        return session.get(Office, office_id).authority_public_key


def test_the_hand_over_switches_the_server_to_the_new_key_and_refuses_the_old(ctx, kelurahan):
    ingest(ctx, kelurahan.batch()[0])  # sequence 1, by the old keys
    new_authority, new_operator, new_cert = _new_world(kelurahan)
    new_public = keys.public_bytes(new_authority.public_key())
    revocation = issue_revocation(kelurahan.authority, kelurahan.cert, effective_after_sequence=1,
                                  reason="kunci baru", issued_at=NOW)
    items = [_rotation_item(kelurahan.authority, kelurahan.office_id, new_public, 1),
             BatchItem.create(item_id=revocation.cert_id, item_type="revocation", payload=revocation.to_dict()),
             *kelurahan.items([nik(2)])]
    result = ingest(ctx, kelurahan.batch(items, cert=new_cert, signer=new_operator)[0])
    assert result.outcome == ACCEPTED and result.items == 3
    assert _authority_at_server(ctx, kelurahan.office_id) == new_public
    # After the boundary, the old operator's certificate (by the old authority) signs nothing.
    with pytest.raises(BatchRejected) as refused:
        ingest(ctx, kelurahan.batch(advance=False)[0])
    assert refused.value.reason == "bad_certificate"
    assert ingest(ctx, kelurahan.batch(cert=new_cert, signer=new_operator)[0]).outcome == ACCEPTED


@pytest.mark.parametrize("how", ["other_signer", "boundary_too_early", "two_rotations"])
def test_a_forged_or_misplaced_hand_over_is_refused_and_changes_nothing(ctx, kelurahan, how):
    ingest(ctx, kelurahan.batch()[0])
    ingest(ctx, kelurahan.batch()[0])  # the server is at sequence 2
    new_authority, new_operator, new_cert = _new_world(kelurahan)
    new_public = keys.public_bytes(new_authority.public_key())
    if how == "other_signer":  # e.g. an operator who made up an "old key" of her own
        items = [_rotation_item(keys.generate_ed25519(), kelurahan.office_id, new_public, 2)]
    elif how == "boundary_too_early":
        items = [_rotation_item(kelurahan.authority, kelurahan.office_id, new_public, 1)]
    else:
        items = [_rotation_item(kelurahan.authority, kelurahan.office_id, new_public, 2),
                 _rotation_item(kelurahan.authority, kelurahan.office_id, keys.public_bytes(
                     keys.generate_ed25519().public_key()), 2)]
    before = _authority_at_server(ctx, kelurahan.office_id)
    with pytest.raises(BatchRejected) as refused:
        ingest(ctx, kelurahan.batch([*items, *kelurahan.items([nik(9)])], cert=new_cert, signer=new_operator,
                                    advance=False)[0])
    assert refused.value.reason == "bad_authority_rotation"
    assert _authority_at_server(ctx, kelurahan.office_id) == before


def test_a_hand_over_that_arrives_before_the_batches_up_to_its_boundary_is_held(ctx, kelurahan):
    first, _, _ = kelurahan.batch()
    second, _, _ = kelurahan.batch()  # both by the old keys, not yet at the server
    new_authority, new_operator, new_cert = _new_world(kelurahan)
    new_public = keys.public_bytes(new_authority.public_key())
    third, _, _ = kelurahan.batch([_rotation_item(kelurahan.authority, kelurahan.office_id, new_public, 2),
                                   *kelurahan.items([nik(3)])], cert=new_cert, signer=new_operator)
    assert ingest(ctx, third).outcome == HELD
    assert ingest(ctx, first).outcome == ACCEPTED
    result = ingest(ctx, second)
    assert result.outcome == ACCEPTED and len(result.applied_from_hold) == 1
    assert _authority_at_server(ctx, kelurahan.office_id) == new_public
