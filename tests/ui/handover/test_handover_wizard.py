"""The handover wizard with 200 open items: bulk tools, review, signed record and PDF, the Lurah's countersignature."""

from __future__ import annotations

import pytest

from app.services import handover, handover_report
from app.services.office import open_office
from app.ui.handover_wizard import POOL, HandoverModel, HandoverWizard
from app.ui.qt import QStyleOptionViewItem, Qt, QWizard
from tests.conftest import LURAH_PASS
from tests.fakes.wizard import B_PASS, COMMIT, FINISH, NEXT, click
from tests.pdftext import pdf_text, squeeze
from tests.ui.handover.held import held_contexts


@pytest.fixture
def wizard(qtbot, state, world):
    wizard = HandoverWizard(state, open_files=False)
    qtbot.addWidget(wizard)
    wizard.show()
    # Batal asks before written notes are lost; pytest-qt closes the window before this fixture's
    # teardown runs, so the answer ("discard") is given now. test_handover_cancel.py tests the question.
    wizard.prompts.confirm = lambda *_a, **_k: True
    yield wizard
    wizard.close()


def test_two_hundred_items_with_bulk_tools_signed_and_countersigned(qtbot, wizard, world, linked, created_office,
                                                                     tmp_path):
    b_id, kinds = world
    page = wizard.work_page
    model = page.model
    assert len(model.rows) == 200 and {row.target for row in model.rows} == {b_id}
    assert page.successor.currentText() == "Budi"

    # Every complaint to the office pool: filter by type, pick the pool, assign all shown.
    qtbot.keyClicks(page.filter, "Pengaduan")
    assert page.proxy.rowCount() == kinds["complaint"]
    page.bulk_target.setCurrentIndex(page.bulk_target.findData(POOL))
    click(qtbot, page.assign_all_button)
    page.filter.clear()
    assert sum(row.target == POOL for row in model.rows) == kinds["complaint"]

    # A form cannot go to the pool: assigning everything there leaves forms with their person.
    page.table.selectAll()
    click(qtbot, page.assign_selected_button)
    forms = [row for row in model.rows if row.item.type == "form_draft"]
    assert forms and all(row.target == b_id for row in forms)
    assert "formulir" in page.status.text()
    page.bulk_target.setCurrentIndex(page.bulk_target.findData(b_id))
    page.select_rows(r for r, row in enumerate(model.rows) if row.item.type != "complaint")
    click(qtbot, page.assign_selected_button)

    # One note for the first 120 rows, a sentence of its own on row 5, a target through the cell's drop-down.
    page.select_rows(range(120))
    qtbot.keyClicks(page.bulk_note, "Berkas di map biru")
    click(qtbot, page.apply_note_button)
    assert model.missing_notes() == 80
    model.setData(model.index(5, HandoverModel.NOTE), "Warga minta ditelepon sore hari")
    target = page.proxy.index(7, HandoverModel.TARGET)
    delegate = page.table.itemDelegateForColumn(HandoverModel.TARGET)
    editor = delegate.createEditor(page.table.viewport(), QStyleOptionViewItem(), target)
    delegate.setEditorData(editor, target)
    editor.setCurrentIndex(editor.findData(POOL))
    delegate.setModelData(editor, page.proxy, target)
    assert model.rows[7].target == POOL
    pooled = kinds["complaint"] + (model.rows[7].item.type != "complaint")

    click(qtbot, wizard.button(NEXT))
    review = wizard.review_page
    assert wizard.currentPage() is review
    assert f"Budi: {200 - pooled}" in review.counts.text()
    assert f"Kelompok bersama kantor: {pooled}" in review.counts.text()
    assert "80 pekerjaan belum diberi catatan" in review.missing.text()
    review.only_missing.setChecked(True)
    assert review.proxy.rowCount() == 80
    highlighted = review.proxy.index(0, HandoverModel.NOTE).data(Qt.ItemDataRole.BackgroundRole)
    assert highlighted is not None
    assert model.index(0, HandoverModel.NOTE).data(Qt.ItemDataRole.BackgroundRole) is None

    click(qtbot, wizard.button(NEXT))  # "Serahkan sekarang": the work moves on entering page 3
    perform = wizard.perform_page
    assert wizard.currentPage() is perform and wizard.session.record_id is not None, perform.status.text()
    assert handover.open_work(linked, linked.operator_id) == []
    view = handover_report.verify_record(linked, wizard.session.record_id)
    assert view.operator_signed and not view.lurah_signed and len(view.items) == 200
    assert view.short_hash in perform.fingerprint.text()

    answers = []
    wizard.prompts.save_file = lambda title, suggested, filters: answers.append(suggested) or tmp_path / "ba.pdf"
    click(qtbot, perform.save_button)
    assert answers and answers[0].endswith(".pdf") and "serah-terima-ani-operator" in answers[0]
    text = squeeze(pdf_text((tmp_path / "ba.pdf").read_bytes()))
    assert squeeze("BERITA ACARA SERAH TERIMA PEKERJAAN") in text
    assert squeeze("Warga minta ditelepon sore hari") in text and "Budi" in text
    assert squeeze(view.short_hash) in text and "belum" in text
    assert squeeze(model.rows[199].item.label) in text or squeeze(model.rows[199].item.label)[:20] in text

    click(qtbot, wizard.button(COMMIT))
    lurah_page = wizard.lurah_page
    assert wizard.currentPage() is lurah_page
    assert not lurah_page.revoke_box.isEnabled()
    qtbot.keyClicks(lurah_page.passphrase, "bukan sandi lurah")
    click(qtbot, lurah_page.countersign_button)
    assert "salah" in lurah_page.status.text().lower()
    assert lurah_page.passphrase.text() == "bukan sandi lurah"  # kept, selected, to type over
    assert not handover_report.verify_record(linked, wizard.session.record_id).lurah_signed
    lurah_page.passphrase.clear()
    qtbot.keyClicks(lurah_page.passphrase, LURAH_PASS)
    click(qtbot, lurah_page.countersign_button)
    assert wizard.session.view.lurah_signed, lurah_page.status.text()
    assert handover_report.verify_record(linked, wizard.session.record_id).lurah_signed
    assert lurah_page.revoke_box.isEnabled() and not lurah_page.revoke_button.isEnabled()
    lurah_page.save_pdf(tmp_path / "ba-sah.pdf")
    assert squeeze("disahkan dengan kunci kewenangan Lurah") in squeeze(pdf_text((tmp_path / "ba-sah.pdf").read_bytes()))

    click(qtbot, wizard.button(FINISH))  # revocation "later"
    assert not wizard.isVisible()

    b = open_office(created_office[0], b_id, B_PASS)
    try:
        work = {item.key: item for item in handover.open_work(b, b_id)}
        assert len(work) == 200 - pooled
        assert work[model.rows[5].item.key].notes == ("Warga minta ditelepon sore hari",)
        [waiting] = handover_report.awaiting_acknowledgement(b)
        assert waiting.id == wizard.session.record_id
    finally:
        b.close()


def test_a_failed_handover_keeps_every_note(qtbot, wizard, world, linked, lurah):
    b_id, _kinds = world
    page = wizard.work_page
    page.select_rows(range(10))
    qtbot.keyClicks(page.bulk_note, "Jangan hilang")
    click(qtbot, page.apply_note_button)
    # Someone else closes one item's owner meanwhile: Budi leaves before the handover runs.
    with lurah.transaction() as session:
        from app.storage.models import Operator

        session.get(Operator, b_id).active = False
    click(qtbot, wizard.button(NEXT))
    click(qtbot, wizard.button(NEXT))
    perform = wizard.perform_page
    assert wizard.session.record_id is None and perform.retry.isVisible()
    assert "petugas aktif" in perform.status.text()
    assert len(handover.open_work(linked, linked.operator_id)) == 200
    # Back to the review: the notes are all still there, ready to be sent again.
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.review_page
    assert sum(row.note == "Jangan hilang" for row in page.model.rows) == 10


def test_the_lurah_revokes_the_leaver_from_the_last_page(qtbot, state, world, linked, lurah, created_office):
    lurah.engine.dispose()  # the fixture's own Lurah session: a re-key needs every connection closed
    leaver = linked.operator_id
    wizard = HandoverWizard(state, open_files=False)
    qtbot.addWidget(wizard)
    wizard.show()
    click(qtbot, wizard.button(NEXT))
    click(qtbot, wizard.button(NEXT))
    assert wizard.session.record_id is not None
    click(qtbot, wizard.button(COMMIT))
    page = wizard.lurah_page
    qtbot.keyClicks(page.passphrase, LURAH_PASS)
    click(qtbot, page.countersign_button)
    qtbot.keyClicks(page.reason, "Kontrak selesai")
    assert not page.revoke_button.isEnabled()  # not without the confirmation
    page.confirm.setChecked(True)
    assert not page.revoke_button.isEnabled()  # nor without the Lurah approving this step too
    qtbot.keyClicks(page.revoke_fields.passphrase, LURAH_PASS)
    click(qtbot, page.revoke_button)
    assert wizard.session.revoked is not None, page.revoke_status.text()
    assert not hasattr(wizard, "lurah_ctx")  # no widget keeps a session of its own
    assert held_contexts(wizard) == []
    assert state.ctx is None and wizard.session.signed_out_leaver  # the leaver's session had to end for the re-key
    assert "dicabut" in page.revoke_status.text()
    click(qtbot, wizard.button(FINISH))
    from app.storage.vault import UnknownOperator, WrongPassphrase

    with pytest.raises((UnknownOperator, WrongPassphrase)):
        open_office(created_office[0], leaver, "kata sandi operator")
