"""Operator certificates, revocations and Dinsos key certificates."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from app.sync import keys
from app.sync.certificates import (
    DinsosKeyCertificate,
    OperatorCertificate,
    Revocation,
    issue_dinsos_key,
    issue_revocation,
    verify_certificate,
    verify_dinsos_key,
    verify_revocation,
)
from app.sync.errors import (
    CertificateExpired,
    CertificateInvalid,
    CertificateNotYetValid,
    FormatInvalid,
    RevocationInvalid,
)
from app.sync.canonical import canonical_bytes
from sync_fixtures import NOW


def test_a_certificate_verifies_and_round_trips(world):
    verify_certificate(world.cert, world.authority_public, at=NOW)
    again = OperatorCertificate.from_bytes(world.cert.to_bytes())
    assert again == world.cert
    verify_certificate(again, world.authority.public_key(), at=NOW)


def test_validity_window_is_inclusive_at_both_ends(world):
    cert = world.cert
    verify_certificate(cert, world.authority_public, at=cert.valid_from)
    verify_certificate(cert, world.authority_public, at=cert.valid_until)
    with pytest.raises(CertificateNotYetValid):
        verify_certificate(cert, world.authority_public, at=cert.valid_from - timedelta(seconds=1))
    with pytest.raises(CertificateExpired):
        verify_certificate(cert, world.authority_public, at=cert.valid_until + timedelta(seconds=1))


def test_certificate_of_another_office_authority_is_invalid(world):
    with pytest.raises(CertificateInvalid):
        verify_certificate(world.cert, world.other_authority.public_key(), at=NOW)


@pytest.mark.parametrize(
    "change",
    [
        {"name": "Budi Operator"},
        {"role": "field_staff"},
        {"valid_until": NOW + timedelta(days=3650)},
        {"office_id": "00000000-0000-4000-8000-000000000000"},
        {"public_key": b"\x01" * 32},
    ],
)
def test_any_changed_field_breaks_the_signature(world, change):
    forged = dataclasses.replace(world.cert, **change)
    with pytest.raises(CertificateInvalid):
        verify_certificate(forged, world.authority_public, at=NOW)


def test_issuing_refuses_what_reading_would_refuse(world):
    with pytest.raises(ValueError):
        world.certify(world.operator, role="lurah")
    with pytest.raises(FormatInvalid):
        world.certify(world.operator, valid_until=NOW - timedelta(days=60))
    with pytest.raises(FormatInvalid):
        world.certify(world.operator, office_id="kelurahan-1")


def test_revocation_signed_by_the_lurah_verifies_and_round_trips(world):
    revocation = issue_revocation(
        world.authority, world.cert, effective_after_sequence=7, reason="left the office", issued_at=NOW
    )
    assert Revocation.from_bytes(revocation.to_bytes()) == revocation
    verify_revocation(revocation, world.authority_public)
    with pytest.raises(RevocationInvalid):
        verify_revocation(revocation, world.other_authority.public_key())
    with pytest.raises(RevocationInvalid):
        verify_revocation(dataclasses.replace(revocation, effective_after_sequence=70), world.authority_public)


def test_dinsos_keys_are_certified_by_the_root_for_one_purpose(world):
    server_public = keys.public_bytes(world.server.public_key())
    cert = issue_dinsos_key(
        world.root,
        purpose="server_signing",
        public_key=server_public,
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=700),
        issued_at=NOW,
    )
    assert DinsosKeyCertificate.from_bytes(cert.to_bytes()) == cert
    assert verify_dinsos_key(cert, world.root.public_key(), purpose="server_signing", at=NOW) == server_public
    with pytest.raises(CertificateInvalid):
        verify_dinsos_key(cert, world.root.public_key(), purpose="batch_encryption", at=NOW)
    with pytest.raises(CertificateInvalid):
        verify_dinsos_key(cert, world.authority.public_key(), purpose="server_signing", at=NOW)
    with pytest.raises(CertificateExpired):
        verify_dinsos_key(cert, world.root.public_key(), purpose="server_signing", at=NOW + timedelta(days=701))
    # The key id is bound to the key: a certificate naming another key's id is malformed.
    tampered = cert.to_dict() | {"key_id": "0" * 16}
    with pytest.raises(FormatInvalid):
        DinsosKeyCertificate.from_bytes(canonical_bytes(tampered))
