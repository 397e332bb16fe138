"""USB intake in the console: batch files uploaded in the browser go through `import-file`'s import;
stored batches get their signed receipts to download (one or all in a ZIP); a gap is held and
released; a tampered file, a forged form, a verifier-less account and a huge body change nothing."""

from __future__ import annotations

import io
import json
import zipfile

from console_helpers import csrf, signed_in, staff
from sqlalchemy import func, select

from app.server.models import AuditEntry, Batch, Item
from app.sync.receipt import Receipt
from app.sync.transport_file import batch_file_name
from bench.server_world import nik


def _files(kelurahan, *groups):
    out = []
    for niks in groups:
        sealed, _, signed = kelurahan.batch(kelurahan.items(niks))
        out.append((batch_file_name(kelurahan.office_id, signed.sequence), sealed))
    return out


def _post(client, files, token=None):
    return client.post("/console/upload", data={"csrf": token if token is not None else csrf(client, "/console/upload")},
                       files=[("files", (name, body, "application/octet-stream")) for name, body in files])


def _items(ctx) -> int:
    with ctx.reading() as session:
        return session.execute(select(func.count()).select_from(Item)).scalar_one()


def test_upload_stores_batches_and_hands_back_signed_receipts(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    client = signed_in(ctx, "vera")
    files = _files(kelurahan, [nik(1), nik(2)], [nik(3)])
    # The second file first and the first later: the gap is held, then released, in one upload.
    answer = _post(client, list(reversed(files)))
    assert answer.status_code == 200, answer.text
    assert _items(ctx) == 3
    with ctx.reading() as session:
        batches = session.execute(select(Batch.batch_id, Batch.sequence).order_by(Batch.sequence)).all()
    assert [s for _b, s in batches] == [1, 2]
    page = answer.text
    assert page.count("Diterima") >= 2 and "Unduh semua tanda terima (ZIP)" in page
    assert page.count("<td>Kelurahan a</td>") == 2
    one = client.get(f"/console/upload/receipts/{batches[0].batch_id}")
    receipt = Receipt.from_bytes(one.content)
    assert receipt.office_id == kelurahan.office_id and receipt.sequence == 1
    assert one.headers["content-disposition"].endswith('-000001.usulkan-receipt"')
    archive = client.get("/console/upload/receipts.zip?" + "&".join(f"batch={b}" for b, _s in batches))
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert names == [f"usulkan-{kelurahan.office_id}-00000{n}.usulkan-receipt" for n in (1, 2)]
    again = _post(client, files[:1])  # the stick brought the same file again: the same receipt
    assert "Sudah diterima sebelumnya" in again.text and _items(ctx) == 3
    with ctx.reading() as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == "console_upload")).scalars().all()
    assert [e.actor for e in entries] == ["staff:vera", "staff:vera"]


def test_a_tampered_file_is_refused_and_stores_nothing(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    client = signed_in(ctx, "vera")
    ((name, body),) = _files(kelurahan, [nik(1)])
    broken = body[:-40] + bytes(b ^ 0xFF for b in body[-40:])
    answer = _post(client, [(name, broken), ("../../etc/passwd", b"not a batch")])
    assert answer.status_code == 200 and answer.text.count("Ditolak:") == 2
    assert _items(ctx) == 0 and "/etc/passwd" in answer.text  # shown as text, used as nothing


def test_forged_form_other_roles_and_huge_bodies(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    client = signed_in(ctx, "vera")
    files = _files(kelurahan, [nik(1)])
    assert _post(client, files, token="0" * 64).status_code == 403 and _items(ctx) == 0
    huge = client.post("/console/upload", content=b"x" * 100,
                       headers={"Content-Type": "multipart/form-data; boundary=x",
                                "Content-Length": str(10 * ctx.settings.max_body_bytes)})
    assert huge.status_code == 413
    garbage = client.post("/console/upload", content=b"--x\r\nnonsense", headers={
        "Content-Type": "multipart/form-data; boundary=x"})
    assert garbage.status_code in (400, 403) and _items(ctx) == 0
    assert client.get("/console/upload/receipts/" + "0" * 36).status_code == 404
    assert client.get("/console/upload/receipts.zip?batch=../x").status_code == 404
    from fastapi.testclient import TestClient

    from app.server.app import create_app

    anonymous = TestClient(create_app(context=ctx))
    assert anonymous.post("/console/upload", files=[("files", files[0])], follow_redirects=False).status_code == 303
    assert _items(ctx) == 0


def test_document_files_beside_the_batch_are_stored_and_bad_ones_refused(ctx, kelurahan):
    """The .usulkan-document files go through import-file's document import: stored only when the
    batch naming them is in, refused when renamed, forged or tampered."""
    import hashlib
    import os
    import uuid

    from app.sync import keys
    from app.sync.batch import BatchItem
    from app.sync.documents import ref_for, seal_document, with_documents
    from app.sync.transport_file import document_file_name
    from bench.server_world import proposal

    photo = b"\xff\xd8\xff\xe0" + os.urandom(4000) + b"\xff\xd9"
    ref = ref_for(photo, kind="house_photo", media_type="image/jpeg")
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="muskel",
                            payload=with_documents(proposal(nik(9), 9), [ref]))
    sealed_batch, _, signed = kelurahan.batch([item])
    server_key = keys.public_bytes(ctx.keys.x25519.public_key())
    sealed_doc = seal_document(photo, ref, server_key, office_id=kelurahan.office_id)
    doc_name = document_file_name(kelurahan.office_id, ref.sha256)
    staff(ctx, "vera", "verifier")
    client = signed_in(ctx, "vera")
    # The document alone, before its batch: no received item names it yet.
    early = _post(client, [(doc_name, sealed_doc)])
    assert early.status_code == 200 and "not_referenced" in early.text and not ctx.blobs.exists(ref.sha256)
    assert "Belum ada file batch yang dipilih." in early.text
    # Renamed, tampered and forged copies beside the batch: each refused, nothing stored from them.
    tampered = bytearray(sealed_doc)
    tampered[len(tampered) // 2] ^= 0x40
    other = b"\xff\xd8\xff\xe0" + os.urandom(4000) + b"\xff\xd9"
    forged = seal_document(other, ref_for(other, kind="house_photo", media_type="image/jpeg"), server_key,
                           office_id=kelurahan.office_id)
    bad = _post(client, [(batch_file_name(kelurahan.office_id, signed.sequence), sealed_batch),
                         ("foto.usulkan-document", sealed_doc), (doc_name, bytes(tampered))])
    assert bad.status_code == 200 and bad.text.count("Ditolak:") == 2 and "damaged" in bad.text
    assert not ctx.blobs.exists(ref.sha256)
    assert "hash_mismatch" in _post(client, [(doc_name, forged)]).text and not ctx.blobs.exists(ref.sha256)
    # The real file: stored, and the hash is the photo's.
    good = _post(client, [(doc_name, sealed_doc)])
    assert "Dokumen disimpan" in good.text and ctx.blobs.get(ref.sha256) == photo
    assert hashlib.sha256(photo).hexdigest() == ref.sha256
    with ctx.reading() as session:
        details = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "console_upload")
                                  .order_by(AuditEntry.seq)).scalars().all()
    assert [json.loads(d)["documents"] for d in details] == [0, 0, 0, 1]
