"""Documents travel with their proposal to the real server: downscaled, sealed, resumable after a cut line."""

from __future__ import annotations

import hashlib
import time

import pytest
import requests
from sqlalchemy import select

pytest.importorskip("uvicorn")

from app.clock import utcnow  # noqa: E402
from app.server.models import ItemDocument  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import attachments, documents_out, keys as office_keys, provisioning, sync_run  # noqa: E402
from app.services.document_upload import pending_uploads  # noqa: E402
from app.storage.document_models import OutgoingDocument  # noqa: E402
from app.storage.models import Attachment  # noqa: E402
from app.sync.documents import DocumentRefused  # noqa: E402
from app.sync.transport_http import HttpTransport  # noqa: E402
from tests.fakes.live_server import live_server  # noqa: E402
from tests.fakes.photos import jpeg_photo  # noqa: E402
from tests.fakes.sync_world import PDF, ready_proposal  # noqa: E402


class CutLine(HttpTransport):
    """A line that drops once, in the middle of the first upload piece that starts at ``cut_from`` or later."""

    def __init__(self, *args, cut_from: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cut_from, self.cut_after = cut_from, None
        self.sent: dict[str, int] = {}

    def put_document(self, office_id, sha256, token, chunk, start, total):
        self.sent[sha256] = self.sent.get(sha256, 0) + len(chunk)
        if self.cut_from is not None and self.cut_after is None and start >= self.cut_from:
            half = chunk[: len(chunk) // 2]
            self.cut_after = start + len(half)

            def body():
                yield half
                time.sleep(0.3)  # the half is on the wire and at the server
                raise requests.ConnectionError("the line dropped")

            self._request("PUT", f"/v1/offices/{office_id}/documents/{sha256}", data=body(),
                          headers={"Authorization": f"Bearer {token}", "Content-Range": f"bytes {start}-{start + len(chunk) - 1}/{total}"})
        return super().put_document(office_id, sha256, token, chunk, start, total)


@pytest.fixture
def dinsos(tmp_path):
    with live_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def bound(dinsos, office, lurah):
    ctx, url = dinsos
    document = register_office(ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    provisioning.import_provisioning(lurah, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(lurah, HttpTransport(url, timeout=(2, 10)))
    office_keys.certify_operator(lurah, office.operator_id)
    return office


def _with_photo(office, n: int, photo: bytes) -> str:
    pid = ready_proposal(office, n)
    attachments.attach_to_proposal(office, pid, kind="house_photo", filename="rumah.jpg", data=photo)
    return pid


def test_a_5_mb_photo_cut_mid_way_continues_where_it_stopped(dinsos, bound):
    ctx, url = dinsos
    documents_out.set_photo_settings(bound, long_side=4000, quality=80)  # this photo goes as it is
    photo = jpeg_photo(2800, 2000)
    assert 4_500_000 < len(photo) < 6_000_000
    pid = _with_photo(bound, 61, photo)
    from app.services import outbox

    outbox.queue_proposal(bound, pid)
    line = CutLine(url, timeout=(2, 10), cut_from=2 * 1024 * 1024)
    first = sync_run.run_round(bound, line, now=utcnow())
    assert first.documents.error == "unreachable" and first.documents.waiting >= 1
    assert pending_uploads(bound) >= 1
    sha = hashlib.sha256(photo).hexdigest()
    with bound.reading() as session:
        sealed_total = len(session.get(OutgoingDocument, sha).sealed)
        # The minutes PDF, if the cut came before it went.
        others = sum(len(r.sealed or b"") - r.sent_bytes for r in session.scalars(select(OutgoingDocument))
                     if r.sha256 != sha and r.uploaded_at is None)
    # Dinsos kept what arrived, the half piece included.
    held = line.document_state(_link(bound)[0], sha, _link(bound)[1])["offset"]
    assert held == line.cut_after > 2 * 1024 * 1024

    again = CutLine(url, timeout=(2, 10))
    second = sync_run.run_round(bound, again, now=utcnow())
    assert sha in second.documents.uploaded and second.documents.error is None
    # Only the rest went the second time, not the whole photo again.
    assert again.sent[sha] == sealed_total - held < sealed_total
    assert ctx.blobs.get(sha) == photo
    assert pending_uploads(bound) == 0
    with ctx.reading() as session:
        stored = session.scalars(select(ItemDocument).where(ItemDocument.sha256 == sha)).one()
        assert stored.stored_at is not None and stored.media_type == "image/jpeg"
    # The muskel minutes went too, whole.
    assert ctx.blobs.get(hashlib.sha256(PDF).hexdigest()) == PDF


def test_photos_are_downscaled_before_sending_and_the_original_stays(dinsos, bound):
    ctx, url = dinsos
    photo = jpeg_photo(2400, 1800, seed=2)
    pid = _with_photo(bound, 62, photo)
    from app.services import outbox

    outbox.queue_proposal(bound, pid)
    sync_run.run_round(bound, HttpTransport(url, timeout=(2, 10)), now=utcnow())
    with bound.reading() as session:
        original = session.scalars(select(Attachment).where(Attachment.kind == "house_photo")).one()
        assert original.data == photo  # the office keeps the original
        sent = session.scalars(select(OutgoingDocument).where(OutgoingDocument.attachment_id == original.id)).one()
    from PIL import Image
    import io

    with Image.open(io.BytesIO(ctx.blobs.get(sent.sha256))) as image:
        assert max(image.size) == 1600 and image.format == "JPEG"
    assert sent.size < len(photo) / 2


def test_too_many_documents_refuse_the_queueing_with_a_clear_reason(bound):
    pid = ready_proposal(bound, 63)
    for i in range(12):
        attachments.attach_to_proposal(bound, pid, kind="other", filename=f"{i}.pdf", data=PDF + b"%" + bytes([65 + i]) + b"\n%%EOF\n")
    from app.services import outbox

    with pytest.raises(DocumentRefused) as err:
        outbox.queue_proposal(bound, pid)
    assert err.value.reason == "too_many_documents" and "12" in err.value.message()


def _link(office) -> tuple[str, str]:
    from app.storage.sync_models import SyncLink

    with office.reading() as session:
        link = session.get(SyncLink, 1)
        return link.server_office_id, link.feed_token
