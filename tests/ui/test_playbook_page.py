"""Panduan kantor: starter pages, versions with their authors, errors that keep the typing, return reasons."""

from __future__ import annotations

import pytest

from app.services import playbook, proposal_io, proposals
from app.ui.editor.proposal_editor import ProposalEditor
from app.ui.pages.playbook import PlaybookPage
from app.ui.qt import Qt
from tests import factories
from tests.fakes.prompts import Answers
from tests.fakes.returned import returned_proposal


@pytest.fixture
def page(qtbot, app_state):
    page = PlaybookPage(app_state)
    page.prompts = page.form.prompts = Answers()
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    return page


def test_the_starter_pages_appear_on_first_show(page, app_state):
    starter = {p.slug for p in playbook.list_pages(app_state.ctx)}
    assert {"cara-muskel", "kontak-dinsos", "kontak-rt-rw-pendamping"} <= starter
    assert "Cara kami menjalankan musyawarah kelurahan (muskel)" in page.list_titles()
    assert "Ani Operator" in page.list.item(0).text()
    assert page.reader.title.text() == page.list_titles()[0]  # the first page is open, rendered
    assert page.reader.body_text().strip()
    assert "#" not in page.reader.body_text().splitlines()[0]  # Markdown rendered, not shown raw


def test_the_starter_pages_do_not_come_back_into_a_playbook_the_office_wrote(qtbot, app_state):
    playbook.save_page(app_state.ctx, slug="kami", title="Cara kami", body="Tulisan kantor.")
    page = PlaybookPage(app_state)
    qtbot.addWidget(page)
    page.show()
    assert page.list_titles() == ["Cara kami"]


def test_editing_saves_a_new_version_with_its_author_and_both_are_in_the_history(qtbot, page, app_state):
    page.open_item("cara-muskel")
    first = playbook.get_page(app_state.ctx, "cara-muskel").body
    page.edit()
    assert page.editing and page.form.title.text() == "Cara kami menjalankan musyawarah kelurahan (muskel)"
    page.form.body.setPlainText("# Muskel kami\n\nRapat tiap Kamis di aula kelurahan.")
    qtbot.keyClick(page.form.body, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S

    assert not page.editing
    saved = playbook.get_page(app_state.ctx, "cara-muskel")
    assert saved.version == 2 and saved.updated_by_name == "Ani Operator"
    assert "Rapat tiap Kamis di aula kelurahan." in page.reader.body_text()
    assert "Versi 2, terakhir diubah oleh Ani Operator" in page.reader.meta.text()
    rows = [page.history_list.topLevelItem(i) for i in range(page.history_list.topLevelItemCount())]
    assert [(r.text(0), r.text(2)) for r in rows] == [("2", "Ani Operator"), ("1", "Ani Operator")]
    page.history_list.setCurrentItem(rows[1])
    assert first.splitlines()[-1].split(":")[0] in page.version_text.toPlainText()  # the earlier text, readable


def test_a_save_without_a_title_says_so_and_keeps_the_typing(qtbot, page, app_state):
    before = len(playbook.list_pages(app_state.ctx))
    qtbot.keyClick(page.list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N
    assert page.editing
    page.form.body.setPlainText("Nomor WA pendamping PKH: 0812...")
    page.form.save()
    assert page.form.message.isVisible() and page.form.message.text() == "Beri halaman ini judul."
    assert page.editing and page.form.body.toPlainText() == "Nomor WA pendamping PKH: 0812..."
    assert len(playbook.list_pages(app_state.ctx)) == before


def test_the_service_refusal_shows_in_place_and_keeps_the_typing(page, app_state):
    playbook.save_page(app_state.ctx, slug="kk", title="KK buram", body="Minta KK asli.", return_reason_code="kk_buram")
    page.new_item()
    page.form.title.setText("Lagi KK")
    page.form.code.setEditText("kk_buram")
    page.form.body.setPlainText("Teks yang tidak boleh hilang.")
    page.form.save()
    assert "kk_buram" in page.form.message.text() and page.form.message.isVisible()
    assert page.editing and page.form.body.toPlainText() == "Teks yang tidak boleh hilang."


def test_a_new_page_tied_to_a_return_reason(qtbot, page, app_state):
    page.new_item()
    page.form.title.setText("Foto rumah buram")
    page.form.code.setEditText("foto_rumah_buram")
    page.form.body.setPlainText("Foto ulang dari depan, siang hari, seluruh rumah terlihat.")
    page.save()
    found = playbook.page_for_return_reason(app_state.ctx, "foto_rumah_buram")
    assert found is not None and found.slug == "foto-rumah-buram" and found.updated_by_name == "Ani Operator"
    assert page.reader.title.text() == "Foto rumah buram"  # the new page is the one shown
    assert "alasan foto_rumah_buram" in page.list.currentItem().text()
    page.search.setText("foto_rumah")
    assert page.list_titles() == ["Foto rumah buram"]


def test_the_filter_box_takes_ctrl_f(qtbot, page):
    qtbot.keyClick(page.list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()


def editor_on(state, qtbot, proposal_id, answers) -> ProposalEditor:
    editor = ProposalEditor(state, proposal_id)
    editor.prompts = answers
    qtbot.addWidget(editor)
    editor.start()
    editor.show()
    return editor


def test_a_returned_proposal_links_each_reason_to_its_playbook_page(qtbot, app_state):
    ctx = app_state.ctx
    playbook.save_page(ctx, slug="foto-rumah", title="Foto rumah buram",
                       body="Foto ulang dari depan, siang hari.", return_reason_code="foto_rumah_buram")
    pid = returned_proposal(ctx, [("foto_rumah_buram", "Foto rumah buram; mohon foto ulang."),
                                  ("kk_buram", "KK tidak terbaca")])
    editor = editor_on(app_state, qtbot, pid, Answers())
    box = editor.workflow.reasons
    assert box.isVisible() and set(box.buttons) == {"foto_rumah_buram", "kk_buram"}
    assert box.buttons["foto_rumah_buram"].text() == "Cara memperbaiki (panduan kantor)"

    box.buttons["foto_rumah_buram"].click()
    assert box.dialog is not None and box.dialog.isVisible() and not box.dialog.editing
    assert "Foto ulang dari depan, siang hari." in box.dialog.reader.body_text()


def test_a_reason_without_a_page_offers_to_write_one(qtbot, app_state):
    pid = returned_proposal(app_state.ctx, [("kk_buram", "KK tidak terbaca")])
    declined = Answers(yes=False)
    editor = editor_on(app_state, qtbot, pid, declined)
    box = editor.workflow.reasons
    box.buttons["kk_buram"].click()
    # The prompt names the reason in Dinsos's words (the code stays out of sight).
    assert "KK tidak terbaca" in declined.asked[-1] and "kk_buram" not in declined.asked[-1] and box.dialog is None

    editor.prompts = Answers(yes=True)
    box.buttons["kk_buram"].click()
    dialog = box.dialog
    assert dialog.isVisible() and dialog.editing
    assert dialog.form.code.currentText() == "kk_buram" and dialog.form.title.text() == "KK tidak terbaca"
    dialog.form.body.setPlainText("Minta KK asli, pindai ulang 300 dpi.")
    dialog.form.save()
    written = playbook.page_for_return_reason(app_state.ctx, "kk_buram")
    assert written is not None and written.body == "Minta KK asli, pindai ulang 300 dpi."
    assert not dialog.editing and "Minta KK asli" in dialog.reader.body_text()  # now read, as next time


def test_a_proposal_that_is_not_returned_shows_no_reasons(qtbot, app_state):
    summary = proposals.add_proposal(app_state.ctx, proposal_io.proposal_from_dict(factories.proposal_dict()))
    editor = editor_on(app_state, qtbot, summary.id, Answers())
    assert not editor.workflow.reasons.isVisible() and editor.workflow.reasons.buttons == {}
