"""The journal in the GUI: on a proposal, its household and a complaint; checked in place, never losing typing."""

from __future__ import annotations

from datetime import date, timedelta

from app.clock import today_wib
from app.services import journal
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal
from app.ui.journal_panel import OVERDUE, JournalPanel, to_qdate
from app.ui.qt import Qt
from tests.factories import KK, household_with, proposal_dict
from tests.fakes.complaints import make_page, register
from tests.fakes.editor import editor_for

COLUMNS = {"when": 0, "kind": 1, "text": 2, "by": 3, "due": 4}


def saved_proposal(state, data=None) -> str:
    return add_proposal(state.ctx, proposal_from_dict(data or proposal_dict())).id


def rows(panel: JournalPanel) -> list[dict[str, str]]:
    return [
        {name: panel.list.topLevelItem(r).text(c) for name, c in COLUMNS.items()}
        for r in range(panel.list.topLevelItemCount())
    ]


def write(panel: JournalPanel, kind: str, text: str, due: date | None = None) -> None:
    """As the operator does it: pick the kind, type, pick a date, press the button."""
    panel.kind.setCurrentIndex(panel.kind.findData(kind))
    panel.text.setPlainText(text)
    if due is not None:
        panel.due.setDate(to_qdate(due))
    panel.add_button.click()


def test_notes_calls_and_next_actions_on_a_proposal_are_listed_with_their_writer(app_state, qtbot):
    pid = saved_proposal(app_state)
    editor = editor_for(app_state, qtbot, pid)
    tab = editor.journal
    assert editor.tabs.tabText(editor.tabs.indexOf(tab)) == "Catatan kerja"
    assert tab.unsaved.isHidden()
    panel = tab.proposal_panel
    assert panel.list.topLevelItemCount() == 0
    due = today_wib() + timedelta(days=7)

    write(panel, "note", "Bu Siti minta dikabari lewat RT")
    write(panel, "call", "Telepon Bu Siti, nomor tidak aktif")
    assert panel.due.isHidden()  # the date is asked only for a next action
    panel.kind.setCurrentIndex(panel.kind.findData("next_action"))
    assert not panel.due.isHidden()
    write(panel, "next_action", "Minta foto rumah", due)

    saved = journal.entries(app_state.ctx, "proposal", pid)
    assert [(e.kind, e.text, e.due_date) for e in saved] == [
        ("next_action", "Minta foto rumah", due),
        ("call", "Telepon Bu Siti, nomor tidak aktif", None),
        ("note", "Bu Siti minta dikabari lewat RT", None),
    ]
    shown = rows(panel)
    assert [r["kind"] for r in shown] == ["Tindak lanjut", "Telepon", "Catatan"]
    assert [r["text"] for r in shown] == [e.text for e in saved]
    assert {r["by"] for r in shown} == {"Ani Operator"}
    assert shown[0]["due"] == due.strftime("%d-%m-%Y")
    assert shown[0]["when"].endswith("WIB")
    # Saved: the form is empty again, ready for the next entry.
    assert panel.text.toPlainText() == "" and not panel.due.has_date()
    # The household's journal is another one.
    assert journal.entries(app_state.ctx, "household", KK) == []


def test_ctrl_enter_adds_the_entry(app_state, qtbot):
    pid = saved_proposal(app_state)
    editor = editor_for(app_state, qtbot, pid)
    panel = editor.journal.proposal_panel
    panel.text.setPlainText("Kunjungan rumah, keluarga tidak di tempat")
    panel.kind.setCurrentIndex(panel.kind.findData("visit"))
    qtbot.keyClick(panel.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert [(e.kind, e.text) for e in journal.entries(app_state.ctx, "proposal", pid)] == [
        ("visit", "Kunjungan rumah, keluarga tidak di tempat")]
    assert rows(panel)[0]["kind"] == "Kunjungan"


def test_an_invalid_entry_is_explained_in_place_keeps_the_typing_and_saves_nothing(app_state, qtbot):
    pid = saved_proposal(app_state)
    editor = editor_for(app_state, qtbot, pid)
    panel = editor.journal.proposal_panel

    write(panel, "note", "   ")
    assert not panel.text_message.isHidden()
    assert panel.text_message.text().startswith("Tuliskan apa yang dibicarakan")

    write(panel, "next_action", "Antar formulir SPTJM ke rumah Bu Siti")
    assert panel.text_message.isHidden()
    assert not panel.due_message.isHidden()
    assert panel.due_message.text().startswith("Tindak lanjut perlu tenggat")
    assert panel.text.toPlainText() == "Antar formulir SPTJM ke rumah Bu Siti"

    write(panel, "note", "x" * (journal.MAX_TEXT + 1))
    assert "terlalu panjang" in panel.text_message.text()
    assert f"{journal.MAX_TEXT + 1} karakter" in panel.text_message.text()
    assert panel.text.toPlainText() == "x" * (journal.MAX_TEXT + 1)

    assert journal.entries(app_state.ctx, "proposal", pid) == []
    assert panel.list.topLevelItemCount() == 0

    # Once corrected, the same typing is saved and the messages go.
    write(panel, "next_action", "Antar formulir SPTJM", today_wib() + timedelta(days=2))
    assert [e.text for e in journal.entries(app_state.ctx, "proposal", pid)] == ["Antar formulir SPTJM"]
    assert panel.text_message.isHidden() and panel.due_message.isHidden()


def test_an_error_of_the_service_shows_in_the_panel_and_the_text_stays(app_state, qtbot):
    panel = JournalPanel(app_state)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_subject("proposal", "00000000-0000-0000-0000-000000000000")  # not (or no longer) there
    write(panel, "call", "Sudah ditelepon")
    assert not panel.error.isHidden()
    assert panel.error.text().startswith("Catatan jurnal ini tidak terkait")
    assert panel.text.toPlainText() == "Sudah ditelepon"


def test_a_next_action_overdue_stands_out_and_can_be_marked_done(app_state, qtbot):
    pid = saved_proposal(app_state)
    late = journal.add_entry(app_state.ctx, subject_type="proposal", subject_id=pid, kind="next_action",
                             text="Cek KK ke Dukcapil", due_date=today_wib() - timedelta(days=3))
    journal.add_entry(app_state.ctx, subject_type="proposal", subject_id=pid, kind="note", text="Catatan biasa")
    editor = editor_for(app_state, qtbot, pid)
    panel = editor.journal.proposal_panel
    items = {panel.list.topLevelItem(r).text(2): panel.list.topLevelItem(r) for r in range(2)}
    overdue = items["Cek KK ke Dukcapil"]
    assert overdue.text(4).endswith("(lewat tenggat)")
    assert overdue.foreground(2).color() == OVERDUE
    assert items["Catatan biasa"].foreground(2).color() != OVERDUE

    items["Catatan biasa"].setSelected(True)
    assert not panel.done_button.isEnabled()  # only a next action is done
    panel.list.clearSelection()
    overdue.setSelected(True)
    assert panel.done_button.isEnabled()
    panel.done_button.click()

    assert journal.open_next_actions(app_state.ctx) == []
    done = next(e for e in journal.entries(app_state.ctx, "proposal", pid) if e.id == late.id)
    assert done.done_at is not None
    row = next(r for r in rows(panel) if r["text"] == "Cek KK ke Dukcapil")
    assert "selesai" in row["due"] and "lewat tenggat" not in row["due"]
    assert not panel.done_button.isEnabled()


def test_the_household_journal_is_seen_from_a_second_proposal_of_the_same_household(app_state, qtbot):
    first = saved_proposal(app_state)
    second = saved_proposal(app_state, household_with(["3575030101900005"]))  # same No. KK, another member
    editor = editor_for(app_state, qtbot, first)
    tab = editor.journal
    tab.show_household()
    assert tab.stack.currentWidget() is tab.household_panel
    assert KK in tab.this_household.text()
    write(tab.household_panel, "visit", "Rumah sudah pindah ke RT 4")
    assert [e.text for e in journal.entries(app_state.ctx, "household", KK)] == ["Rumah sudah pindah ke RT 4"]
    assert journal.entries(app_state.ctx, "proposal", first) == []

    other_editor = editor_for(app_state, qtbot, second)
    other = other_editor.journal
    assert [r["text"] for r in rows(other.household_panel)] == ["Rumah sudah pindah ke RT 4"]
    assert rows(other.household_panel)[0]["by"] == "Ani Operator"
    assert rows(other.proposal_panel) == []
    # Written in the second window, it shows in the first one without reopening it.
    write(other.household_panel, "note", "Kepala keluarga kerja di luar kota")
    assert [r["text"] for r in rows(tab.household_panel)] == [
        "Kepala keluarga kerja di luar kota", "Rumah sudah pindah ke RT 4"]


def test_a_new_proposal_explains_the_journal_comes_after_the_first_save(app_state, qtbot):
    editor = editor_for(app_state, qtbot)
    tab = editor.journal
    assert not tab.unsaved.isHidden()
    assert "setelah usulan disimpan" in tab.unsaved.text()
    assert tab.stack.isHidden()
    assert tab.proposal_panel.subject is None and tab.household_panel.subject is None


def test_the_selected_complaints_journal_on_the_complaints_page(app_state, qtbot):
    first = register(app_state.ctx, reporter_name="IBU SITI")
    second = register(app_state.ctx, reporter_name="PAK BUDI")
    journal.add_entry(app_state.ctx, subject_type="complaint", subject_id=second.id, kind="note",
                      text="Sudah dicek ke Dinsos")
    page = make_page(app_state, qtbot)
    by_name = {page.table.item(r, 2).text(): r for r in range(page.table.rowCount())}

    page.table.selectRow(by_name["IBU SITI"])
    assert page.journal.subject == ("complaint", first.id)
    assert rows(page.journal) == []
    write(page.journal, "call", "Ditelepon, dijelaskan jadwal pencairan")
    assert [(e.kind, e.text) for e in journal.entries(app_state.ctx, "complaint", first.id)] == [
        ("call", "Ditelepon, dijelaskan jadwal pencairan")]
    assert rows(page.journal)[0]["kind"] == "Telepon"
    assert rows(page.journal)[0]["by"] == "Ani Operator"

    # Typing left on one complaint stays with it, and never lands on another.
    page.journal.text.setPlainText("Belum selesai diketik")
    page.table.selectRow(by_name["PAK BUDI"])
    assert page.journal.subject == ("complaint", second.id)
    assert [r["text"] for r in rows(page.journal)] == ["Sudah dicek ke Dinsos"]
    assert page.journal.text.toPlainText() == ""
    page.table.selectRow(by_name["IBU SITI"])
    assert page.journal.text.toPlainText() == "Belum selesai diketik"


def test_a_next_action_for_someone_else_names_them(app_state, qtbot, created_office):
    _folder, created = created_office
    pid = saved_proposal(app_state)
    due = today_wib() + timedelta(days=5)
    with app_state.ctx.transaction() as session:  # as a handover writes it: the action now someone else's
        journal.add_entry_in(app_state.ctx, session, subject_type="proposal", subject_id=pid, kind="next_action",
                             text="Tanda tangan SPTJM", due_date=due, addressed_to=created.lurah_id)
    journal.add_entry(app_state.ctx, subject_type="proposal", subject_id=pid, kind="next_action",
                      text="Telepon ketua RT", due_date=due)
    panel = editor_for(app_state, qtbot, pid).journal.proposal_panel
    by_text = {row["text"]: row for row in rows(panel)}
    assert by_text["Tanda tangan SPTJM"]["due"] == f"{due:%d-%m-%Y} \u00b7 untuk Bapak Lurah"
    assert by_text["Tanda tangan SPTJM"]["by"] == "Ani Operator"
    assert by_text["Telepon ketua RT"]["due"] == f"{due:%d-%m-%Y}"  # one's own: no name repeated
