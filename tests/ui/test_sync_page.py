"""The Sending page and the background sender, against the in-memory Dinsos of the sync tests."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.services import sync_run
from app.ui.pages.sync import SyncPage, reason_text, status_text
from app.ui.state import AppState
from app.ui.sync_scheduler import SyncScheduler
from app.ui.qt import Qt
from app.ui.tasks import InlineRunner
from tests import factories
from tests.conftest import LURAH_PASS
from tests.fakes.sync_world import queue_ready


class Yes:
    def __init__(self):
        self.asked = []

    def confirm(self, title, text, *, yes=None):
        self.asked.append(text)
        return True


def _page(state: AppState, dinsos) -> SyncPage:
    state.scheduler = SyncScheduler(state, transport_factory=lambda url: dinsos, runner=InlineRunner())
    return SyncPage(state)


@pytest.fixture
def lurah_state(qapp, lurah):
    state = AppState(lurah.folder, runner=InlineRunner())
    state.sign_in(lurah)
    yield state
    state.ctx = None


def test_queued_work_is_sent_by_the_scheduler_and_the_page_says_so(qtbot, linked, app_state, dinsos):
    page = _page(app_state, dinsos)
    qtbot.addWidget(page)
    queue_ready(linked, 1, 2)
    page.reload()
    assert page.waiting_label.text() == "2" and page.delivered_label.text() == "0"
    assert page.lurah_box.isHidden()  # an operator does not see the Lurah's steps

    assert app_state.scheduler.send_now()
    assert page.waiting_label.text() == "0" and page.delivered_label.text() == "1"
    assert "1 batch diterima Dinsos" in page.message.text()
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == "Diterima Dinsos"
    assert "semua terkirim" in status_text(app_state.scheduler.last, False)


def test_an_offline_network_is_explained_and_nothing_is_lost(qtbot, linked, app_state, dinsos):
    page = _page(app_state, dinsos)
    qtbot.addWidget(page)
    queue_ready(linked, 3)
    dinsos.fail_next = 10
    app_state.scheduler.send_now()
    assert not page.problem_label.isHidden()
    assert "tidak dapat dihubungi" in page.problem_label.text()
    assert page.to_send_label.text() == "1" and page.table.item(0, 1).text() == "Siap dikirim"
    assert "offline, 1 menunggu" in status_text(app_state.scheduler.last, False)


def test_batches_go_to_a_usb_folder(qtbot, linked, app_state, dinsos, tmp_path):
    page = _page(app_state, dinsos)
    qtbot.addWidget(page)
    queue_ready(linked, 4)
    from app.services import outbox

    outbox.build_batches(linked)
    page.reload()
    page.export_to(tmp_path)
    files = list(tmp_path.glob("*.usulkan-batch"))
    assert len(files) == 1 and "1 berkas batch disimpan" in page.message.text()


def approve_in(qtbot, dialog, passphrase: str, code: str | None = None) -> None:
    """Type into the Lurah's approval dialog and click its button, as the Lurah would."""
    from app.ui.qt import Qt

    assert dialog.isVisible()
    dialog.fields.passphrase.clear()
    qtbot.keyClicks(dialog.fields.passphrase, passphrase)
    if code is not None:
        qtbot.keyClicks(dialog.fields.code, code)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def test_the_lurah_links_the_office_with_the_provisioning_file(qtbot, lurah_state, office, dinsos, tmp_path):
    page = _page(lurah_state, dinsos)
    qtbot.addWidget(page)
    assert not page.lurah_box.isHidden() and "belum terhubung" in page.link_label.text()
    path = tmp_path / "provisioning.json"
    path.write_text(json.dumps(dinsos.document()), encoding="utf-8")

    page.link_with(path, "AAAA-BBBB", transport=dinsos)  # not the fingerprint Dinsos read out
    approve_in(qtbot, page.dialog, LURAH_PASS)
    assert page.dialog.isVisible() and "sidik" in page.dialog.message.text().lower()
    assert not sync_run.sync_state(lurah_state.ctx).linked
    page.dialog.reject()

    page.link_with(path, None, transport=dinsos)
    approve_in(qtbot, page.dialog, "bukan sandi lurah")  # a wrong passphrase links nothing
    assert page.dialog.isVisible() and "sandi" in page.dialog.message.text().lower()
    assert not sync_run.sync_state(lurah_state.ctx).linked
    approve_in(qtbot, page.dialog, LURAH_PASS)
    assert not page.dialog.isVisible()
    state = sync_run.sync_state(lurah_state.ctx)
    assert state.bound and dinsos.authority is not None
    assert "terhubung" in page.message.text()
    # The operator enrolled before the link got a certificate with it: they can sign batches now.
    queue_ready(office, 5)
    from app.services import outbox

    assert len(outbox.build_batches(office)) == 1


def test_the_lurah_countersigns_sptjm_batches_seeing_the_households(qtbot, linked, lurah_state, dinsos):
    from app.services import outbox

    queue_ready(linked, 6, route="sptjm")
    outbox.build_batches(linked)
    page = _page(lurah_state, dinsos)
    qtbot.addWidget(page)
    assert page.awaiting_label.text() == "1" and page.countersign_button.isEnabled()
    qtbot.mouseClick(page.countersign_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    # What the Lurah signs, household by household, as the operator signed it.
    table = dialog.table
    assert table.rowCount() == 1
    cells = [table.item(0, c).text() for c in range(table.columnCount())]
    assert cells[0] == "ANGGOTA 0"  # the head of the household, by name
    assert cells[1] == factories.KK and cells[2] == "usulan baru" and "SPTJM" in cells[3]
    assert "batch 1" in cells[5]
    assert not dialog.ok.isEnabled()  # nothing signs without the passphrase typed

    approve_in(qtbot, dialog, "bukan sandi lurah")
    assert dialog.isVisible() and page.awaiting_label.text() == "1"
    approve_in(qtbot, dialog, LURAH_PASS)
    assert not dialog.isVisible()
    assert page.awaiting_label.text() == "0" and page.to_send_label.text() == "1"
    assert "1 batch" in page.message.text()


def test_countersigning_asks_the_authenticator_code_when_enrolled(qtbot, linked, lurah_state, dinsos):
    from app.services import outbox, totp

    queue_ready(linked, 7, route="sptjm")
    outbox.build_batches(linked)
    ctx = lurah_state.ctx
    moment = [ctx.clock().replace(microsecond=0)]
    ctx.clock = lambda: moment[0]
    pending = totp.start_enrolment(ctx)
    totp.confirm_enrolment(ctx, pending, totp.code_at(pending.secret, moment[0]))
    moment[0] += timedelta(minutes=1)
    page = _page(lurah_state, dinsos)
    qtbot.addWidget(page)
    page.countersign()
    dialog = page.dialog
    assert dialog.fields.code.isVisibleTo(dialog)
    approve_in(qtbot, dialog, LURAH_PASS)  # the passphrase alone: the button stays off
    assert dialog.isVisible() and not dialog.ok.isEnabled()
    good = totp.code_at(pending.secret, moment[0])
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    approve_in(qtbot, dialog, LURAH_PASS, wrong)
    assert dialog.isVisible() and "kode" in dialog.message.text().lower()
    assert page.awaiting_label.text() == "1"
    approve_in(qtbot, dialog, LURAH_PASS, good)
    assert not dialog.isVisible() and page.awaiting_label.text() == "0"


def test_reason_codes_read_as_plain_indonesian():
    assert "tidak dapat dihubungi" in reason_text("unreachable")
    assert "dicabut" in reason_text("revoked")
    assert "503" in reason_text("http_503")
    assert reason_text("something_new").startswith("Dinsos menolak batch")
    assert reason_text(None) == ""


def test_receipt_files_from_a_stick_are_read_one_by_one(qtbot, linked, app_state, dinsos, tmp_path):
    from app.services import outbox
    from app.sync.receipt import Receipt
    from app.sync.transport_file import write_receipt_file

    page = _page(app_state, dinsos)
    qtbot.addWidget(page)
    for number in (5, 6):
        queue_ready(linked, number)
        outbox.build_batches(linked)
    stick = tmp_path / "stick"
    stick.mkdir()
    page.export_to(stick)
    batch_files = sorted(stick.glob("*.usulkan-batch"))
    assert len(batch_files) == 2
    # Dinsos imports both and writes a receipt file beside each; the second is damaged on the way back.
    receipts = [write_receipt_file(Receipt.from_dict(dinsos.post_batch(f.read_bytes())).to_bytes(), stick)
                for f in batch_files]
    receipts[1].write_bytes(receipts[1].read_bytes()[:-40])

    page.import_receipts([stick])  # the folder stands for its receipt files
    text = page.message.text()
    assert "1 berkas tanda terima dibaca" in text
    assert receipts[1].name in text and "tidak dibaca" in text
    assert page.delivered_label.text() == "1" and page.waiting_label.text() == "1"

    receipts[1].write_bytes(Receipt.from_dict(dinsos.post_batch(batch_files[1].read_bytes())).to_bytes())
    page.import_receipts([receipts[1]])
    assert page.delivered_label.text() == "2" and page.waiting_label.text() == "0"


class FileLinkPrompts:
    """What the Lurah picks in the dialogs: the document, the fingerprint, where to save, the answer."""

    def __init__(self, document, fingerprint, request_target):
        self.opened = [document]
        self.fingerprint, self.request_target = fingerprint, request_target

    def open_file(self, title, filters):
        return self.opened.pop(0)

    def text(self, title, label):
        return self.fingerprint

    def save_file(self, title, suggested, filters):
        assert suggested.endswith(".usulkan-bind-request")
        return self.request_target


def test_an_office_without_a_network_links_by_file_by_clicking(qtbot, lurah_state, office, dinsos, tmp_path):
    from PySide6.QtCore import Qt

    page = _page(lurah_state, dinsos)
    qtbot.addWidget(page)
    doc = dinsos.document(server_url=None)
    path = tmp_path / "provisioning.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    request = tmp_path / "usb" / "request.usulkan-bind-request"
    request.parent.mkdir()
    page.prompts = FileLinkPrompts(path, doc["dinsos_root_fingerprint"], request)

    qtbot.mouseClick(page.link_button, Qt.MouseButton.LeftButton)
    assert request.exists() and "ABCDE" not in request.read_text()
    assert str(request) in page.message.text()
    assert "berkas" in page.link_label.text() and not sync_run.sync_state(lurah_state.ctx).bound

    # At Dinsos: the answer for exactly this request file.
    answer = tmp_path / "usb" / "answer.usulkan-bind-answer"
    answer.write_bytes(dinsos.bind(doc["office_id"], request.read_bytes()))
    page.prompts.opened = [answer]
    qtbot.mouseClick(page.link_button, Qt.MouseButton.LeftButton)
    assert sync_run.sync_state(lurah_state.ctx).bound
    assert "terhubung" in page.message.text()
    queue_ready(office, 7)  # the operator was certified with the link: batches can be signed
    from app.services import outbox

    assert len(outbox.build_batches(office)) == 1


def test_the_page_counts_documents_still_to_upload(qtbot, linked, app_state, dinsos):
    # This in-memory Dinsos takes batches but no documents: the muskel minutes stay to upload.
    page = _page(app_state, dinsos)
    qtbot.addWidget(page)
    queue_ready(linked, 3, 4)  # both carry the same minutes PDF: one document
    page.reload()
    assert page.documents_label.text() == "0"  # nothing delivered yet
    assert app_state.scheduler.send_now()
    assert page.delivered_label.text() == "1" and page.documents_label.text() == "1"
