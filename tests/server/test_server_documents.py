"""The resumable document upload: bound by hash to a received signed item of the same office, capped, checked."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.server.app import create_app
from app.server.models import AuditEntry, ItemDocument
from app.sync import keys
from app.sync.batch import BatchItem
from app.sync.documents import MAX_DOCUMENT_BYTES, DocumentRef, ref_for, seal_document, with_documents
from app.sync.envelope import seal
from bench.server_world import enrol, nik, proposal

OCTET = {"Content-Type": "application/octet-stream"}
PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(300_000) + b"\xff\xd9"


@pytest.fixture
def client(ctx):
    return TestClient(create_app(context=ctx))


def _send_with(kel, client, refs: list[DocumentRef]) -> str:
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="muskel",
                            payload=with_documents(proposal(nik(kel.counter + 1), kel.counter + 1), refs))
    kel.counter += 1
    sealed, _, _ = kel.batch([item])
    response = client.post("/v1/batches", content=sealed, headers=OCTET)
    assert response.status_code == 200, response.text
    return item.item_id


def _auth(kel) -> dict:
    return {"Authorization": f"Bearer {kel.feed_token}"}


def _put(client, kel, sha, body: bytes, start: int, total: int, office_id=None):
    headers = {**_auth(kel), **OCTET, "Content-Range": f"bytes {start}-{start + len(body) - 1}/{total}"}
    return client.put(f"/v1/offices/{office_id or kel.office_id}/documents/{sha}", content=body, headers=headers)


def _sealed(ctx, kel, data, ref):
    return seal_document(data, ref, keys.public_bytes(ctx.keys.x25519.public_key()), office_id=kel.office_id)


def test_upload_in_two_parts_stores_the_document(ctx, client, kelurahan):
    ref = ref_for(PHOTO, kind="house_photo", media_type="image/jpeg")
    item_id = _send_with(kelurahan, client, [ref])
    url = f"/v1/offices/{kelurahan.office_id}/documents/{ref.sha256}"
    assert client.get(url, headers=_auth(kelurahan)).json() == {
        "sha256": ref.sha256, "offset": 0, "stored": False, "max_bytes": ref.max_sealed_bytes}
    sealed = _sealed(ctx, kelurahan, PHOTO, ref)
    half = len(sealed) // 2
    first = _put(client, kelurahan, ref.sha256, sealed[:half], 0, len(sealed))
    assert first.status_code == 200 and first.json()["offset"] == half and not first.json()["stored"]
    head = client.head(url, headers=_auth(kelurahan))
    assert head.headers["Upload-Offset"] == str(half)
    # Continuing from the wrong place is refused with where to continue.
    wrong = _put(client, kelurahan, ref.sha256, sealed[half + 10:], half + 10, len(sealed))
    assert wrong.status_code == 409 and wrong.json()["reason"] == "offset_mismatch"
    rest = _put(client, kelurahan, ref.sha256, sealed[half:], half, len(sealed))
    assert rest.status_code == 200 and rest.json()["stored"] is True
    assert ctx.blobs.get(ref.sha256) == PHOTO
    with ctx.reading() as session:
        row = session.scalars(select(ItemDocument).where(ItemDocument.item_id == item_id)).one()
        assert row.stored_at is not None and row.size == len(PHOTO) and row.kind == "house_photo"
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.subject == ref.sha256)).all() == [
            "document_stored"]
    assert client.get(url, headers=_auth(kelurahan)).json()["stored"] is True


def test_a_tampered_document_is_refused_and_not_kept(ctx, client, kelurahan):
    ref = ref_for(PHOTO, kind="house_photo", media_type="image/jpeg")
    _send_with(kelurahan, client, [ref])
    other = PHOTO[:-10] + b"\x00" * 8 + b"\xff\xd9"
    # Sealed under the referenced document's name, but other bytes.
    forged = seal(other, keys.public_bytes(ctx.keys.x25519.public_key()), batch_id=ref.envelope_id,
                  office_id=kelurahan.office_id)
    response = _put(client, kelurahan, ref.sha256, forged, 0, len(forged))
    assert response.status_code == 422 and response.json()["reason"] == "hash_mismatch"
    assert not ctx.blobs.exists(ref.sha256)
    state = client.get(f"/v1/offices/{kelurahan.office_id}/documents/{ref.sha256}", headers=_auth(kelurahan)).json()
    assert state["offset"] == 0 and state["stored"] is False
    # A flipped byte in transit is refused the same way.
    sealed = bytearray(_sealed(ctx, kelurahan, PHOTO, ref))
    sealed[len(sealed) // 2] ^= 1
    flipped = _put(client, kelurahan, ref.sha256, bytes(sealed), 0, len(sealed))
    assert flipped.status_code == 422 and not ctx.blobs.exists(ref.sha256)


def test_oversize_is_refused_at_upload_and_in_the_batch(ctx, client, kelurahan):
    ref = ref_for(PHOTO, kind="house_photo", media_type="image/jpeg")
    _send_with(kelurahan, client, [ref])
    huge = _put(client, kelurahan, ref.sha256, b"x" * 1000, 0, ref.max_sealed_bytes + 1)
    assert huge.status_code == 413 and huge.json()["reason"] == "document_too_large"
    more = _put(client, kelurahan, ref.sha256, b"x" * 1000, 0, 500)
    assert more.status_code == 400
    # A signed item naming an 11 MiB document refuses the whole batch, with the reason.
    big = DocumentRef("a" * 64, "kk", "application/pdf", MAX_DOCUMENT_BYTES + 1)
    payload = {**proposal(nik(99), 99), "documents": [big.to_dict()]}
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="muskel",
                            payload=payload)
    sealed, _, _ = kelurahan.batch([item], advance=False)
    refused = client.post("/v1/batches", content=sealed, headers=OCTET)
    assert refused.status_code == 422 and refused.json()["reason"] == "document_too_large"


def test_another_office_cannot_upload_or_read(ctx, client, kelurahan):
    other = enrol(ctx, "b", village="35.75.03.1005")
    ref = ref_for(PHOTO, kind="house_photo", media_type="image/jpeg")
    _send_with(kelurahan, client, [ref])
    sealed = _sealed(ctx, kelurahan, PHOTO, ref)
    url = f"/v1/offices/{kelurahan.office_id}/documents/{ref.sha256}"
    # No token, a wrong one, or the other office's token on this office's path.
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(url, headers=_auth(other)).status_code == 401
    assert _put(client, other, ref.sha256, sealed, 0, len(sealed), office_id=kelurahan.office_id).status_code == 401
    # Under its own path, the other office has no item naming this document.
    refused = _put(client, other, ref.sha256, sealed, 0, len(sealed))
    assert refused.status_code == 404 and refused.json()["reason"] == "not_referenced"
    # Even naming the same document in its own item, it cannot pass off this office's sealed file.
    _send_with(other, client, [ref])
    stolen = _put(client, other, ref.sha256, sealed, 0, len(sealed))
    assert stolen.status_code == 422 and stolen.json()["reason"] == "wrong_office"
    assert not ctx.blobs.exists(ref.sha256)
    assert client.get(f"/v1/offices/{kelurahan.office_id}/documents/{'z' * 64}", headers=_auth(kelurahan)).status_code == 422


def test_a_new_version_naming_a_stored_document_needs_no_upload(ctx, client, kelurahan):
    ref = ref_for(PHOTO, kind="house_photo", media_type="image/jpeg")
    _send_with(kelurahan, client, [ref])
    sealed = _sealed(ctx, kelurahan, PHOTO, ref)
    assert _put(client, kelurahan, ref.sha256, sealed, 0, len(sealed)).json()["stored"]
    _send_with(kelurahan, client, [ref])
    with ctx.reading() as session:
        assert all(r.stored_at for r in session.scalars(select(ItemDocument)))


def test_a_half_upload_is_dropped_once_the_document_arrives_by_file(ctx, client, kelurahan):
    from app.server.document_store import store_sealed

    ref = ref_for(PHOTO, kind="house_photo", media_type="image/jpeg")
    _send_with(kelurahan, client, [ref])
    sealed = _sealed(ctx, kelurahan, PHOTO, ref)
    assert _put(client, kelurahan, ref.sha256, sealed[:1000], 0, len(sealed)).json()["offset"] == 1000
    store_sealed(ctx, kelurahan.office_id, ref.sha256, sealed, source="file")
    assert not list((ctx.settings.data_dir / "uploads").rglob("*.part"))
    state = client.get(f"/v1/offices/{kelurahan.office_id}/documents/{ref.sha256}", headers=_auth(kelurahan)).json()
    assert state["stored"] is True
