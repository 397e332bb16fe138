"""Documents and the return file (USB offices): Dinsos's signed list of the office's stored documents marks
them delivered at the office, and the decree documents Dinsos sends back become read-only attachments;
all through the real `usulkan-server import-file` and `return-file` commands."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.server import review
from app.server.cli import main as server_main
from app.server.config import Settings
from app.server.context import open_server
from app.server.decree_documents import store_decree_document
from app.server.models import Office as ServerOffice
from app.services import attachments, outbox, sync, sync_run
from app.services.return_import import import_return_file, summary_text
from app.sync.return_file import (
    RETURN_SUFFIX,
    ReturnDocument,
    ReturnFileInvalid,
    issue_return,
    seal_return,
)
from app.sync.transport_file import document_files_in
from tests.fakes.by_file import link_by_file, staff_member
from tests.fakes.photos import jpeg_photo
from tests.fakes.sync_world import PDF, ready_proposal

SK = b"%PDF-1.5\n% SK Wali Kota Pasuruan\n" + os.urandom(5000) + b"\n%%EOF\n"


class Dinsos:
    def __init__(self, folder):
        self.folder = folder

    def open(self):
        return open_server(Settings(data_dir=self.folder, public_url=""))

    def cli(self, *args: str) -> int:
        return server_main([args[0], "--data-dir", str(self.folder), *args[1:]])


@pytest.fixture
def world(tmp_path, lurah, office):
    dinsos = Dinsos(tmp_path / "dinsos")
    stick = tmp_path / "usb"
    ctx = dinsos.open()
    try:
        office_id = link_by_file(ctx, lurah, stick)
        users = {name: staff_member(ctx, name, role)
                 for name, role in (("vera", "verifier"), ("kartika", "kepala"), ("adi", "admin"))}
    finally:
        ctx.close()
    return {"dinsos": dinsos, "stick": stick, "office_id": office_id, "users": users, "office": office}


def _send_with_photo(world, n: int) -> tuple[str, bytes]:
    office, stick = world["office"], world["stick"]
    pid = ready_proposal(office, n)
    photo = jpeg_photo(800, 600, seed=n)
    attachments.attach_to_proposal(office, pid, kind="house_photo", filename="rumah.jpg", data=photo)
    outbox.queue_proposal(office, pid)
    for old in list(stick.glob("*.usulkan-batch")) + document_files_in(stick):
        old.unlink()
    sync.export_ready(office, stick)
    return pid, photo


def _return_file(world, *extra: str, capsys=None):
    back = world["stick"] / "back"
    back.mkdir(exist_ok=True)
    for old in back.glob(f"*{RETURN_SUFFIX}"):
        old.unlink()
    assert world["dinsos"].cli("return-file", "--office", world["office_id"], "--out", str(back), *extra) == 0
    (path,) = back.glob(f"*{RETURN_SUFFIX}")
    return path


def _approve(world, item_id: str, sk: bytes, number: str) -> None:
    users = world["users"]
    ctx = world["dinsos"].open()
    try:
        review.decide(ctx, users["vera"], item_id, "verify")
        review.decide(ctx, users["kartika"], item_id, "finalise")
        document = store_decree_document(ctx, "sk.pdf", sk)
        review.decide(ctx, users["adi"], item_id, "approve",
                      decree=review.Decree(number, date(2026, 2, 27), document))
    finally:
        ctx.close()


def test_documents_stored_at_dinsos_stop_showing_as_still_to_upload(world, capsys):
    office, stick = world["office"], world["stick"]
    _send_with_photo(world, 41)
    assert len(document_files_in(stick)) == 2  # the house photo and the muskel minutes
    # The batch is in at Dinsos but the documents are not yet: the return file confirms the batch only.
    alone = stick.parent / "batches-only"  # import-file takes the documents beside a batch: not these
    alone.mkdir()
    for p in stick.glob("*.usulkan-batch"):
        (alone / p.name).write_bytes(p.read_bytes())
    assert world["dinsos"].cli("import-file", str(alone)) == 0
    result = import_return_file(office, _return_file(world), now=utcnow())
    assert len(result.delivered) == 1 and result.documents_confirmed == []
    assert sync_run.sync_state(office).documents_waiting == 2
    # Dinsos stores one document (brought alone): only that one is confirmed.
    one = document_files_in(stick)[0]
    sha = one.name.removesuffix(".usulkan-document").rsplit("-", 1)[-1]
    single = stick.parent / "one-document"
    single.mkdir()
    (single / one.name).write_bytes(one.read_bytes())
    assert world["dinsos"].cli("import-file", str(single / one.name)) == 0
    result = import_return_file(office, _return_file(world), now=utcnow())
    assert result.documents_confirmed == [sha] and sync_run.sync_state(office).documents_waiting == 1
    assert "Dinsos memastikan telah menyimpan 1 dokumen kantor ini." in summary_text(result)
    # Then the rest: nothing waits any more, and the same file again changes nothing.
    assert world["dinsos"].cli("import-file", str(stick)) == 0
    path = _return_file(world)
    result = import_return_file(office, path, now=utcnow())
    assert len(result.documents_confirmed) == 1 and sync_run.sync_state(office).documents_waiting == 0
    assert import_return_file(office, path, now=utcnow()).nothing_new


def test_a_forged_list_of_stored_documents_marks_nothing(world):
    """Only Dinsos's signature makes a document delivered: a list sealed with the office's own key but
    signed by another key is refused whole, before anything changes."""
    office, stick = world["office"], world["stick"]
    _send_with_photo(world, 42)
    alone = stick.parent / "batches-only"
    alone.mkdir()
    for p in stick.glob("*.usulkan-batch"):
        (alone / p.name).write_bytes(p.read_bytes())
    assert world["dinsos"].cli("import-file", str(alone)) == 0
    import_return_file(office, _return_file(world), now=utcnow())
    from app.storage.document_models import OutgoingDocument

    with office.reading() as session:
        hashes = list(session.scalars(select(OutgoingDocument.sha256)))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    ctx = world["dinsos"].open()
    try:
        with ctx.reading() as session:
            digest = session.get(ServerOffice, world["office_id"]).feed_token_hash
        from app.server.return_file import _pages

        pages = _pages(ctx, world["office_id"], 0)
    finally:
        ctx.close()
    forged = issue_return(Ed25519PrivateKey.generate(), return_id=str(uuid.uuid4()), office_id=world["office_id"],
                          issued_at=utcnow(), receipts=[], pages=pages, stored_documents=hashes)
    path = stick / "forged.usulkan-return"
    path.write_bytes(seal_return(forged, digest))
    with pytest.raises(ReturnFileInvalid) as refused:
        import_return_file(office, path, now=utcnow())
    assert refused.value.reason == "bad_signature"
    assert sync_run.sync_state(office).documents_waiting == 2


def test_the_decree_of_an_approval_comes_back_as_a_read_only_attachment(world, capsys):
    office, stick = world["office"], world["stick"]
    pid, _photo = _send_with_photo(world, 43)
    assert world["dinsos"].cli("import-file", str(stick)) == 0
    _approve(world, pid, SK, "188.45/9/HK/2026")
    path = _return_file(world)
    assert "1 decree document(s) sent back" in capsys.readouterr().out
    assert SK not in path.read_bytes()  # encrypted to the office like the rest of the file
    result = import_return_file(office, path, now=utcnow())
    assert result.documents_received == 1 and result.decisions == 3
    assert "1 dokumen dari Dinsos (misalnya SK Wali Kota) kini terlampir pada usulannya." in summary_text(result)
    listed = attachments.list_attachments(office, pid)
    (decree,) = [a for a in listed if a.from_dinsos]
    assert decree.kind == "decree" and decree.mime == "application/pdf" and decree.filename.startswith("SK-188.45-9-HK")
    assert [a.from_dinsos for a in listed].count(False) == 2  # the office's own photo and minutes, unchanged
    assert attachments.read_attachment(office, decree.id)[1] == SK
    # Brought again: not attached twice.
    assert import_return_file(office, path, now=utcnow()).documents_received == 0
    assert len(attachments.list_attachments(office, pid)) == 3


def test_the_decree_documents_are_capped_per_file_and_the_rest_come_in_the_next(world, capsys, monkeypatch):
    from app.server import return_file

    monkeypatch.setattr(return_file, "MAX_RETURN_DOCUMENTS", 1)
    office, stick = world["office"], world["stick"]
    first, _ = _send_with_photo(world, 44)
    second, _ = _send_with_photo(world, 45)
    assert world["dinsos"].cli("import-file", str(stick)) == 0
    _approve(world, first, SK, "188/1")
    other = SK.replace(b"Pasuruan", b"Kota Pas")
    _approve(world, second, other, "188/2")
    path = _return_file(world)
    captured = capsys.readouterr()
    assert "1 decree document(s) sent back" in captured.out
    hint = [line for line in captured.err.splitlines() if "did not fit" in line]
    assert hint and "--after " in hint[0]
    after = hint[0].split("--after ")[1].split()[0]
    result = import_return_file(office, path, now=utcnow())
    assert result.documents_received == 1
    assert any(a.from_dinsos for a in attachments.list_attachments(office, first))
    assert not any(a.from_dinsos for a in attachments.list_attachments(office, second))
    result = import_return_file(office, _return_file(world, "--after", after), now=utcnow())
    assert result.documents_received == 1
    (decree,) = [a for a in attachments.list_attachments(office, second) if a.from_dinsos]
    assert attachments.read_attachment(office, decree.id)[1] == other


def test_a_document_dinsos_sends_must_be_what_it_says(world):
    """Inside a genuinely signed file, a document whose bytes do not match its hash is a format error;
    one that is no PDF/JPEG/PNG is counted and not attached."""
    office, stick = world["office"], world["stick"]
    pid, _ = _send_with_photo(world, 46)
    assert world["dinsos"].cli("import-file", str(stick)) == 0
    ctx = world["dinsos"].open()
    try:
        with ctx.reading() as session:
            digest = session.get(ServerOffice, world["office_id"]).feed_token_hash
        from app.server.return_file import _pages

        pages = _pages(ctx, world["office_id"], 0)
        exe = ReturnDocument(pid, "decree", "application/pdf", "SK.pdf", b"MZ\x90\x00" + os.urandom(500))
        bundle = issue_return(ctx.keys.server, return_id=str(uuid.uuid4()), office_id=world["office_id"],
                              issued_at=utcnow(), receipts=[], pages=pages, documents=[exe])
    finally:
        ctx.close()
    path = stick / "exe.usulkan-return"
    path.write_bytes(seal_return(bundle, digest))
    result = import_return_file(office, path, now=utcnow())
    assert result.documents_received == 0 and result.documents_unusable == 1
    assert not any(a.from_dinsos for a in attachments.list_attachments(office, pid))
    assert PDF  # the office's own minutes are untouched


def test_a_document_from_dinsos_is_never_sent_to_dinsos_again(office):
    """Queued after it arrived (or carried to a new version), the decree is not the office's evidence."""
    import hashlib

    from app.services.dinsos_documents import store_from_dinsos
    from app.storage.sync_models import OutboxItem

    pid = ready_proposal(office, 47)
    assert store_from_dinsos(office, [ReturnDocument(pid, "decree", "application/pdf", "SK.pdf", SK)],
                             now=utcnow()) == (1, 0)
    outbox.queue_proposal(office, pid)
    with office.reading() as session:
        payload = session.execute(select(OutboxItem.payload).where(OutboxItem.proposal_id == pid)).scalar_one()
    sk_sha = hashlib.sha256(SK).hexdigest()
    assert sk_sha not in repr(payload) and hashlib.sha256(PDF).hexdigest() in repr(payload)
    with office.reading() as session:
        from app.storage.document_models import OutgoingDocument

        assert session.get(OutgoingDocument, sk_sha) is None
