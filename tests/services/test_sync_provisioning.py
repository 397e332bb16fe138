"""Provisioning import: the Dinsos keys must chain to the root the Lurah confirmed, or nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.services import keys as office_keys
from app.services import provisioning
from app.storage.models import Office
from app.storage.sync_models import DinsosKey, SyncLink
from app.sync import keys
from app.sync.canonical import b64url_encode
from tests.fakes.sync_world import SERVER_OFFICE_ID


def _nothing_stored(ctx) -> bool:
    with ctx.reading() as session:
        return (session.scalar(select(func.count()).select_from(DinsosKey)) == 0
                and session.get(SyncLink, 1) is None
                and session.get(Office, ctx.office_id).server_url is None)


def test_a_good_document_is_imported(lurah, dinsos):
    doc = dinsos.document()
    shown = provisioning.import_provisioning(lurah, doc, root_fingerprint=doc["dinsos_root_fingerprint"].replace(" ", ""))
    assert shown == doc["dinsos_root_fingerprint"]
    with lurah.reading() as session:
        assert session.get(SyncLink, 1).server_office_id == doc["office_id"]
        assert session.get(DinsosKey, "batch_encryption").public_key == keys.public_bytes(dinsos.x25519.public_key())
        assert session.get(Office, lurah.office_id).server_url == doc["server_url"]


def test_a_tampered_key_certificate_is_refused(lurah, dinsos):
    good = dinsos.document()
    # Someone swaps in their own encryption key, keeping the root's signature on the certificate
    # (and, to get past the document signature, as if the root had signed the document too).
    mine = keys.public_bytes(keys.generate_x25519().public_key())
    doc = dinsos.document(batch_encryption_certificate={**good["batch_encryption_certificate"],
                                                        "public_key": b64url_encode(mine), "key_id": keys.key_id(mine)})
    with pytest.raises(provisioning.DinsosKeyNotTrusted):
        provisioning.import_provisioning(lurah, doc)
    assert _nothing_stored(lurah)


def test_a_key_certified_by_another_root_is_refused(lurah, dinsos):
    doc = dinsos.document(server_signing_certificate=dinsos.cert(
        "server_signing", keys.generate_ed25519().public_key(), root=keys.generate_ed25519()))
    with pytest.raises(provisioning.DinsosKeyNotTrusted):
        provisioning.import_provisioning(lurah, doc)
    assert _nothing_stored(lurah)


def test_keys_in_swapped_roles_are_refused(lurah, dinsos):
    good = dinsos.document()
    doc = dinsos.document(server_signing_certificate=good["batch_encryption_certificate"],
                          batch_encryption_certificate=good["server_signing_certificate"])
    with pytest.raises(provisioning.DinsosKeyNotTrusted):
        provisioning.import_provisioning(lurah, doc)
    assert _nothing_stored(lurah)


def test_a_root_other_than_the_one_read_aloud_is_refused(lurah, dinsos):
    with pytest.raises(provisioning.RootFingerprintMismatch):
        provisioning.import_provisioning(lurah, dinsos.document(), root_fingerprint="0000 1111 2222 3333")
    assert _nothing_stored(lurah)


def test_a_document_with_an_unknown_field_is_refused(lurah, dinsos):
    with pytest.raises(provisioning.ProvisioningInvalid):
        provisioning.import_provisioning(lurah, dinsos.document(extra=1))
    assert _nothing_stored(lurah)


def test_only_the_lurah_provisions_and_certifies(office, dinsos):
    with pytest.raises(office_keys.LurahOnly):
        provisioning.import_provisioning(office, dinsos.document())
    with pytest.raises(office_keys.LurahOnly):
        office_keys.certify_operator(office, office.operator_id)


def test_the_bind_request_is_sealed_and_signed_by_the_authority_key(lurah, dinsos):
    from app.sync.bind import open_bind_request

    provisioning.import_provisioning(lurah, dinsos.document())
    office_id, sealed = provisioning.bind_request(lurah)
    # Nothing secret in clear: not the code, not the feed token, in any spelling.
    assert b"ABCDE" not in sealed and b"RSTUV" not in sealed and b"enrolment" not in sealed
    opened = open_bind_request(sealed, dinsos.x25519)
    authority = office_keys.ensure_authority_key(lurah)
    assert opened.request.authority_public_key == authority and opened.request.office_id == office_id
    assert opened.request.enrolment_code == "ABCDE-FGHJK-LMNPQ-RSTUV" and len(opened.request.feed_token) >= 43
    assert opened.request.feed_token.encode() not in sealed
    # Asked again before an answer came (lost answer, file taken twice): the very same bytes.
    assert provisioning.bind_request(lurah) == (office_id, sealed)


def test_an_edited_document_is_refused(lurah, dinsos):
    doc = dinsos.document()
    doc["server_url"] = "https://attacker.example"  # the root signed another address
    with pytest.raises(provisioning.ProvisioningNotSigned):
        provisioning.import_provisioning(lurah, doc)
    unsigned = {k: v for k, v in dinsos.document().items() if k != "signature"}
    with pytest.raises(provisioning.ProvisioningInvalid):
        provisioning.import_provisioning(lurah, unsigned)
    assert _nothing_stored(lurah)


@pytest.mark.parametrize("url", [
    "ftp://dinsos.example.go.id", "javascript:alert(1)", "http://dinsos.example.go.id",
    "http://192.168.1.5:8765", "https://user:pw@dinsos.example.go.id", "https://", "file:///etc/passwd",
    "https://dinsos.example.go.id/?next=evil", "https://dinsos.example.go.id/a b",
    "https://dinsos\texample.go.id", "http://127.0.0.1.attacker.example", 42,
])
def test_a_server_url_that_is_not_https_or_loopback_is_refused(lurah, dinsos, url):
    with pytest.raises((provisioning.ServerAddressNotAllowed, provisioning.ProvisioningInvalid)):
        provisioning.import_provisioning(lurah, dinsos.document(server_url=url))
    assert _nothing_stored(lurah)


@pytest.mark.parametrize("url, stored", [
    ("https://usulkan.dinsos.example.go.id/", "https://usulkan.dinsos.example.go.id"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("http://localhost:8765", "http://localhost:8765"),
    ("http://[::1]:8765", "http://[::1]:8765"),
    (None, None), ("", None),
])
def test_https_loopback_or_no_address_is_accepted(lurah, dinsos, url, stored):
    provisioning.import_provisioning(lurah, dinsos.document(server_url=url))
    with lurah.reading() as session:
        assert session.get(Office, lurah.office_id).server_url == stored
        assert session.get(SyncLink, 1).server_office_id == SERVER_OFFICE_ID
