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
from test_sync_world import dinsos, lurah  # noqa: F401


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
    doc = dinsos.document()
    # Someone swaps in their own encryption key, keeping the root's signature.
    mine = keys.public_bytes(keys.generate_x25519().public_key())
    doc["batch_encryption_certificate"] = {**doc["batch_encryption_certificate"],
                                           "public_key": b64url_encode(mine), "key_id": keys.key_id(mine)}
    with pytest.raises(provisioning.DinsosKeyNotTrusted):
        provisioning.import_provisioning(lurah, doc)
    assert _nothing_stored(lurah)


def test_a_key_certified_by_another_root_is_refused(lurah, dinsos):
    doc = dinsos.document()
    doc["server_signing_certificate"] = dinsos.cert("server_signing", keys.generate_ed25519().public_key(),
                                                    root=keys.generate_ed25519())
    with pytest.raises(provisioning.DinsosKeyNotTrusted):
        provisioning.import_provisioning(lurah, doc)
    assert _nothing_stored(lurah)


def test_keys_in_swapped_roles_are_refused(lurah, dinsos):
    doc = dinsos.document()
    doc["server_signing_certificate"], doc["batch_encryption_certificate"] = (
        doc["batch_encryption_certificate"], doc["server_signing_certificate"])
    with pytest.raises(provisioning.DinsosKeyNotTrusted):
        provisioning.import_provisioning(lurah, doc)
    assert _nothing_stored(lurah)


def test_a_root_other_than_the_one_read_aloud_is_refused(lurah, dinsos):
    with pytest.raises(provisioning.RootFingerprintMismatch):
        provisioning.import_provisioning(lurah, dinsos.document(), root_fingerprint="0000 1111 2222 3333")
    assert _nothing_stored(lurah)


def test_a_document_with_an_unknown_field_is_refused(lurah, dinsos):
    with pytest.raises(provisioning.ProvisioningInvalid):
        provisioning.import_provisioning(lurah, {**dinsos.document(), "extra": 1})
    assert _nothing_stored(lurah)


def test_only_the_lurah_provisions_and_certifies(office, dinsos):
    with pytest.raises(office_keys.LurahOnly):
        provisioning.import_provisioning(office, dinsos.document())
    with pytest.raises(office_keys.LurahOnly):
        office_keys.certify_operator(office, office.operator_id)


def test_the_bind_request_is_signed_by_the_authority_key(lurah, dinsos):
    provisioning.import_provisioning(lurah, dinsos.document())
    office_id, request = provisioning.bind_request(lurah)
    from app.sync.canonical import b64url_decode, canonical_bytes, parse_time

    body = {k: v for k, v in request.items() if k != "signature"}
    authority = office_keys.ensure_authority_key(lurah)
    assert b64url_decode(body["authority_public_key"]) == authority and office_id == body["office_id"]
    parse_time(body["signed_at"])
    assert keys.verify_ed25519(authority, b64url_decode(request["signature"]), canonical_bytes(body))
