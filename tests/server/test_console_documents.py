"""The review page shows an item's documents inline; only a signed-in staff session opens them, audited."""

from __future__ import annotations

import os
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.server.app import create_app
from app.server.document_store import store_sealed
from app.server.ingest import ingest
from app.server.models import AuditEntry
from app.sync import keys
from app.sync.batch import BatchItem
from app.sync.documents import ref_for, seal_document, with_documents
from bench.server_world import enrol, nik, proposal
from console_helpers import signed_in, staff

PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(5000) + b"\xff\xd9"
PDF = b"%PDF-1.4\n" + os.urandom(3000) + b"\n%%EOF\n"


def _item_with_documents(ctx, kel, *, upload: bool = True):
    refs = [ref_for(PHOTO, kind="house_photo", media_type="image/jpeg"),
            ref_for(PDF, kind="muskel_minutes", media_type="application/pdf")]
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="muskel",
                            payload=with_documents(proposal(nik(7), 7), refs))
    sealed, _, _ = kel.batch([item])
    ingest(ctx, sealed)
    if upload:
        for data, ref in ((PHOTO, refs[0]), (PDF, refs[1])):
            blob = seal_document(data, ref, keys.public_bytes(ctx.keys.x25519.public_key()), office_id=kel.office_id)
            store_sealed(ctx, kel.office_id, ref.sha256, blob, source="test")
    return item.item_id, refs


def test_review_page_shows_the_photo_and_the_pdf_inline(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    item_id, (photo, pdf) = _item_with_documents(ctx, kelurahan)
    client = signed_in(ctx, "vera")
    page = client.get(f"/console/items/{item_id}")
    photo_url = f"/console/items/{item_id}/documents/{photo.sha256}"
    pdf_url = f"/console/items/{item_id}/documents/{pdf.sha256}"
    assert f'<img src="{photo_url}"' in page.text
    assert f'<object data="{pdf_url}" type="application/pdf">' in page.text
    image = client.get(photo_url)
    assert image.status_code == 200 and image.content == PHOTO
    assert image.headers["content-type"] == "image/jpeg" and "no-store" in image.headers["cache-control"]
    assert client.get(pdf_url).content == PDF
    with ctx.reading() as session:
        reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "document_viewed")).all()
    assert [(r.actor, r.subject) for r in reads] == [("staff:vera", item_id)] * 2
    assert photo.sha256 in reads[0].detail


def test_documents_are_never_served_without_a_staff_session(ctx, kelurahan):
    item_id, (photo, _pdf) = _item_with_documents(ctx, kelurahan)
    url = f"/console/items/{item_id}/documents/{photo.sha256}"
    anonymous = TestClient(create_app(context=ctx))
    assert anonymous.get(url).status_code == 401 and anonymous.get(url).content == b""
    # The office's own credential (its feed token) opens nothing here, as a header or as a cookie.
    office = {"Authorization": f"Bearer {kelurahan.feed_token}"}
    assert anonymous.get(url, headers=office).status_code == 401
    anonymous.cookies.set("usulkan_console", kelurahan.feed_token)
    assert anonymous.get(url).status_code == 401
    # Nor through the office's upload path: it answers the offset, never the bytes.
    state = TestClient(create_app(context=ctx)).get(
        f"/v1/offices/{kelurahan.office_id}/documents/{photo.sha256}", headers=office)
    assert PHOTO not in state.content
    with ctx.reading() as session:
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "document_viewed")).all()


def test_a_document_not_uploaded_yet_says_so_and_is_not_served(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    item_id, (photo, _pdf) = _item_with_documents(ctx, kelurahan, upload=False)
    client = signed_in(ctx, "vera")
    page = client.get(f"/console/items/{item_id}")
    assert "<img" not in page.text and "belum diterima" in page.text
    assert client.get(f"/console/items/{item_id}/documents/{photo.sha256}").status_code == 404
    # A document stored for another office's item is not served under this item's path.
    other = enrol(ctx, "b", village="35.75.03.1005")
    other_photo = b"\xff\xd8\xff\xe0" + os.urandom(4000) + b"\xff\xd9"
    ref = ref_for(other_photo, kind="house_photo", media_type="image/jpeg")
    other_item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="muskel",
                                  payload=with_documents(proposal(nik(8), 8), [ref]))
    ingest(ctx, other.batch([other_item])[0])
    blob = seal_document(other_photo, ref, keys.public_bytes(ctx.keys.x25519.public_key()), office_id=other.office_id)
    store_sealed(ctx, other.office_id, ref.sha256, blob, source="test")
    assert client.get(f"/console/items/{other_item.item_id}/documents/{ref.sha256}").status_code == 200
    assert client.get(f"/console/items/{item_id}/documents/{ref.sha256}").status_code == 404
