"""The handover record format in app/sync: byte for byte what the office wrote before it moved, and its checks.

The golden bytes, hashes and signatures below were produced by the code as it stood in
app/services/handover_report.py before the format moved here: a record stored then must keep
verifying, so these bytes may never change (a new format gets a new ``format_version``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync import handover_record as fmt
from app.sync.certificates import issue_certificate
from app.sync.errors import FormatInvalid
from app.sync.keys import Ed25519Signer, key_id

SIGNED_BODY = (
    b'{"at":"2026-03-04T05:06:07Z","by":{"id":"op-lurah","name":"Bu Lurah Sari"},"format":"usulkan-handover",'
    b'"format_version":1,"from":{"id":"op-ani","name":"Ani Lestari"},"items":[{"key":"proposal:p-1",'
    b'"label":"Usulan 3171 \xe2\x80\x93 Rumah","note":"Berkas di map biru","to":"op-budi","to_name":"Budi \xc3\xa9",'
    b'"type":"proposal"},{"key":"complaint:c-2","label":"Pengaduan jalan","note":null,"to":null,"to_name":null,'
    b'"type":"complaint"}],"office_id":"3171010001","office_name":"Kelurahan Menteng","operator_key":'
    b'{"cert_id":"cert-0001","key_id":"630dcd2966c43366"},"record_id":"rec-0001","successor":{"id":"op-budi",'
    b'"name":"Budi \xc3\xa9"}}'
)
SIGNED_HASH = "35aef7dd876ff5b641cab25f37179f58fe6111702d15717351e4c0bec0544a88"
UNSIGNED_BODY = SIGNED_BODY.replace(b'{"cert_id":"cert-0001","key_id":"630dcd2966c43366"}', b"null")
UNSIGNED_HASH = "59475dec29bbe6781230bfd2f185af287904b2b7f9d07d60291e8312712fc92d"
OPERATOR_SIGNATURE = bytes.fromhex(
    "8fe7bd68f550a648aeb077d46ef139ae2d051480fd5a2b222b0fbb94df7630709083e8164022b9c0f0dce97942993710edfb1e1c4b317468"
    "d488aac6eb617b08")
COUNTERSIGN_STATEMENT = (
    b'{"format":"usulkan-handover-countersignature","operator_signature":"j-e9aPVQpkiusHfUbvE5ri0FFID9WisiKw-7lN92MHCQg'
    b'-gWQCK5wPDc6XlCmTcQ7fseHEsxdGjUiKrG62F7CA","record_id":"rec-0001","report_hash":'
    b'"59475dec29bbe6781230bfd2f185af287904b2b7f9d07d60291e8312712fc92d","signed_at":"2026-03-05T01:02:03Z"}'
)
LURAH_SIGNATURE = bytes.fromhex(
    "bb5660f4bd63498c7e6822d798d6cdd07ccf88ce0aabd91653962499ccde3510e46701ed79f4122875f7a4b55818eb38504d833dcf634775"
    "480f3019cb01ce0a")
AT = datetime(2026, 3, 4, 5, 6, 7, 890000)  # naive means UTC, as stored; the body keeps whole seconds
SIGNED_AT = datetime(2026, 3, 5, 1, 2, 3, 400000)
OPERATOR = Ed25519PrivateKey.from_private_bytes(bytes([7] * 32))
AUTHORITY = Ed25519PrivateKey.from_private_bytes(bytes([9] * 32))
ITEMS = (
    fmt.RecordItem("proposal:p-1", "proposal", "Usulan 3171 \u2013 Rumah", "op-budi", "Budi \u00e9", "Berkas di map biru"),
    fmt.RecordItem("complaint:c-2", "complaint", "Pengaduan jalan", None, None, None),
)


def fields(operator_key: fmt.OperatorKey | None) -> dict:
    return dict(record_id="rec-0001", office_id="3171010001", office_name="Kelurahan Menteng",
                from_person=fmt.Person("op-ani", "Ani Lestari"), by_person=fmt.Person("op-lurah", "Bu Lurah Sari"),
                successor=fmt.Person("op-budi", "Budi \u00e9"), at=AT, items=ITEMS, operator_key=operator_key)


def authority_keys() -> list[bytes]:
    return [Ed25519Signer(AUTHORITY).public_key_bytes]


def test_the_body_is_byte_for_byte_what_the_office_wrote_before():
    assert fmt.record_bytes(**fields(fmt.OperatorKey("cert-0001", key_id(bytes(range(32)))))) == SIGNED_BODY
    assert fmt.report_hash(SIGNED_BODY) == SIGNED_HASH
    assert fmt.record_bytes(**fields(None)) == UNSIGNED_BODY
    assert fmt.report_hash(UNSIGNED_BODY) == UNSIGNED_HASH


def test_the_countersignature_statement_is_unchanged_and_old_signatures_still_hold():
    statement = fmt.countersign_bytes(record_id="rec-0001", digest=UNSIGNED_HASH,
                                      operator_signature=OPERATOR_SIGNATURE, signed_at=SIGNED_AT)
    assert statement == COUNTERSIGN_STATEMENT
    # Ed25519 is deterministic: the same key signs the same statement the same way it did then.
    assert fmt.countersign(Ed25519Signer(AUTHORITY), record_id="rec-0001", digest=UNSIGNED_HASH,
                           operator_signature=OPERATOR_SIGNATURE, signed_at=SIGNED_AT) == LURAH_SIGNATURE
    assert fmt.countersignature_holds(authority_keys(), LURAH_SIGNATURE, record_id="rec-0001", digest=UNSIGNED_HASH,
                                      operator_signature=OPERATOR_SIGNATURE, signed_at=SIGNED_AT)
    assert Ed25519Signer(OPERATOR).sign(UNSIGNED_BODY) == OPERATOR_SIGNATURE
    # Without a leaver's signature the statement says null, as the office wrote it.
    assert b'"operator_signature":null' in fmt.countersign_bytes(
        record_id="rec-0001", digest=UNSIGNED_HASH, operator_signature=None, signed_at=SIGNED_AT)


@pytest.mark.parametrize("change", [
    dict(record_id="rec-0002"), dict(digest="0" * 64), dict(operator_signature=None),
    dict(signed_at=SIGNED_AT + timedelta(seconds=1)),
])
def test_a_countersignature_moved_to_another_record_or_moment_fails(change):
    claim = dict(record_id="rec-0001", digest=UNSIGNED_HASH, operator_signature=OPERATOR_SIGNATURE,
                 signed_at=SIGNED_AT) | change
    assert not fmt.countersignature_holds(authority_keys(), LURAH_SIGNATURE, **claim)
    other = Ed25519Signer(Ed25519PrivateKey.generate()).public_key_bytes
    assert not fmt.countersignature_holds([other], LURAH_SIGNATURE, record_id="rec-0001", digest=UNSIGNED_HASH,
                                          operator_signature=OPERATOR_SIGNATURE, signed_at=SIGNED_AT)


def test_check_record_refuses_a_changed_byte_another_record_or_another_leaver():
    body = fmt.check_record(UNSIGNED_BODY, digest=UNSIGNED_HASH, record_id="rec-0001", from_operator="op-ani",
                            successor="op-budi")
    assert body["items"][0]["note"] == "Berkas di map biru"
    flipped = UNSIGNED_BODY.replace(b"map biru", b"map bira")
    for data, claim in (
        (flipped, dict(digest=UNSIGNED_HASH)),  # the content no longer matches the fingerprint
        (flipped, dict(digest=fmt.report_hash(flipped), successor="op-citra")),
        (UNSIGNED_BODY, dict(record_id="rec-0002")),  # a record's body copied onto another row
        (UNSIGNED_BODY, dict(from_operator="op-budi")),
        (UNSIGNED_BODY, dict(successor=None)),
        (UNSIGNED_BODY.replace(b'"usulkan-handover"', b'"usulkan-handovex"'), dict(digest=None)),
        (b'{"format":"usulkan-handover", "record_id":"rec-0001"}', dict(digest=None)),  # not canonical
    ):
        claim = dict(digest=UNSIGNED_HASH, record_id="rec-0001", from_operator="op-ani", successor="op-budi") | claim
        if claim["digest"] is None:
            claim["digest"] = fmt.report_hash(data)
        with pytest.raises(FormatInvalid):
            fmt.check_record(data, **claim)


def test_the_leavers_signature_holds_only_with_the_certificate_the_body_names():
    operator_public = Ed25519Signer(OPERATOR).public_key_bytes
    cert = issue_certificate(AUTHORITY, office_id="5d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a",
                             operator_id="7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", name="Ani Lestari",
                             role="operator", public_key=operator_public, valid_from=AT - timedelta(days=1),
                             valid_until=AT + timedelta(days=365), issued_at=AT - timedelta(days=1),
                             cert_id="0b9c1f3e-8d2a-4c57-9e61-3a5f7d2b8c40")
    data = fmt.record_bytes(**fields(fmt.OperatorKey.of(cert)))
    body = fmt.parse_record(data)
    signature = Ed25519Signer(OPERATOR).sign(data)
    holds = dict(cert=cert, public_key=operator_public, signature=signature, authority_keys=authority_keys())
    assert fmt.operator_signature_holds(data, body, **holds)
    # Another key's signature, a body changed after signing, a certificate from another authority,
    # a record dated outside the certificate: each is refused.
    stranger = Ed25519PrivateKey.generate()
    assert not fmt.operator_signature_holds(data, body, **(holds | dict(signature=Ed25519Signer(stranger).sign(data))))
    changed = data.replace(b"map biru", b"map merah")
    assert not fmt.operator_signature_holds(changed, fmt.parse_record(changed), **holds)
    assert not fmt.operator_signature_holds(data, body, **(holds | dict(
        authority_keys=[Ed25519Signer(stranger).public_key_bytes])))
    late = fmt.record_bytes(**(fields(fmt.OperatorKey.of(cert)) | dict(at=AT + timedelta(days=400))))
    assert not fmt.operator_signature_holds(late, fmt.parse_record(late), **(holds | dict(
        signature=Ed25519Signer(OPERATOR).sign(late))))
    assert not fmt.operator_signature_holds(data, body | {"operator_key": {"cert_id": "1c9c1f3e-8d2a-4c57-9e61-3a5f7d2b8c41",
                                                                          "key_id": key_id(operator_public)}}, **holds)
