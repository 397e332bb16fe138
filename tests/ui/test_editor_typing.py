"""Never lose typing in the proposal editor: cells being typed, fast typists, the restore offer."""

from __future__ import annotations

from app.services.autosave import load_form
from app.ui.editor.proposal_editor import NEW_KEY, ProposalEditor
from app.ui.qt import QApplication, QLineEdit, Qt
from tests.factories import HEAD_NIK
from tests.fakes.editor import TypingAnswers as Answers
from tests.fakes.editor import open_editor

KEY_DELAY_MS = 45  # a fast typist: 16 digits in about 0.7 s, no pause anywhere


def cell_editor(editor: ProposalEditor) -> QLineEdit:
    widget = QApplication.focusWidget()
    assert isinstance(widget, QLineEdit) and editor.members.table.viewport().isAncestorOf(widget)
    return widget


def test_typing_a_nik_at_full_speed_after_tab_from_rw_keeps_all_sixteen_digits(app_state, qtbot):
    editor = open_editor(app_state, qtbot)
    rw = editor.household.inputs["rw"]
    rw.setFocus()
    qtbot.keyClicks(rw, "2")  # starts the check that used to land in the middle of the NIK
    qtbot.keyClick(rw, Qt.Key.Key_Tab)
    table = editor.members.table
    assert table.hasFocus()
    assert (table.currentRow(), table.currentColumn()) == (0, 0)  # the NIK cell
    qtbot.keyClicks(table, HEAD_NIK[0], delay=KEY_DELAY_MS)  # the first key opens the cell
    qtbot.keyClicks(cell_editor(editor), HEAD_NIK[1:], delay=KEY_DELAY_MS)
    assert cell_editor(editor).text() == HEAD_NIK
    qtbot.keyClick(cell_editor(editor), Qt.Key.Key_Tab)
    assert table.item(0, 0).text() == HEAD_NIK


def test_a_name_still_in_its_cell_editor_is_in_the_autosave(app_state, qtbot):
    editor = open_editor(app_state, qtbot)
    table = editor.members.table
    table.setFocus()
    table.setCurrentCell(0, 1)
    qtbot.keyClicks(table, "S")
    qtbot.keyClicks(cell_editor(editor), "ITI AMINAH")
    editor.autosave.flush()  # what the five-second timer does, the cell still open
    payload = load_form(app_state.ctx, NEW_KEY)
    assert payload is not None
    assert payload["form"]["household"]["members"][0]["name"] == "SITI AMINAH"
    assert cell_editor(editor).text() == "SITI AMINAH"  # still typing, cursor where it was


def test_a_name_still_in_its_cell_editor_survives_closing_the_window(app_state, qtbot):
    editor = open_editor(app_state, qtbot)
    table = editor.members.table
    table.setFocus()
    table.setCurrentCell(0, 1)
    qtbot.keyClicks(table, "B")
    qtbot.keyClicks(cell_editor(editor), "UDI SANTOSO")
    editor.close()
    again = open_editor(app_state, qtbot)
    qtbot.waitUntil(lambda: again.members.table.item(0, 1).text() == "BUDI SANTOSO", timeout=2000)


# --- the offer to continue, on the real message boxes -------------------------------


def _answer_boxes(qtbot, clicks: list[str]) -> list[str]:
    """Click buttons (by text, or "Enter"/"Escape") on each message box as it opens; return the texts seen."""
    from app.ui.qt import QMessageBox, QTimer

    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        what = clicks.pop(0)
        if clicks:
            QTimer.singleShot(20, answer)
        if what in ("Enter", "Escape"):
            qtbot.keyClick(box, Qt.Key.Key_Return if what == "Enter" else Qt.Key.Key_Escape)
        else:
            (button,) = [b for b in box.buttons() if b.text() == what]
            button.click()

    QTimer.singleShot(20, answer)
    return seen


def _leave_typing(state, qtbot) -> None:
    editor = open_editor(state, qtbot)
    editor.household.inputs["address"].setFocus()
    qtbot.keyClicks(editor.household.inputs["address"], "JL. MAWAR NO. 7")
    editor.close()


def _with_real_prompts(state, qtbot) -> ProposalEditor:
    from app.ui.editor.prompts import Prompts

    editor = ProposalEditor(state)
    qtbot.addWidget(editor)
    editor.prompts = Prompts(editor)
    editor.start()
    return editor


def test_enter_on_the_offer_continues_the_typing(app_state, qtbot):
    _leave_typing(app_state, qtbot)
    seen = _answer_boxes(qtbot, ["Enter"])
    editor = _with_real_prompts(app_state, qtbot)
    assert seen and "Lanjutkan" in seen[0]
    assert editor.household.inputs["address"].text() == "JL. MAWAR NO. 7"


def test_escape_on_the_offer_continues_too(app_state, qtbot):
    _leave_typing(app_state, qtbot)
    _answer_boxes(qtbot, ["Escape"])
    editor = _with_real_prompts(app_state, qtbot)
    assert editor.household.inputs["address"].text() == "JL. MAWAR NO. 7"


def test_buang_ketikan_asks_once_more_and_enter_there_keeps_the_typing(app_state, qtbot):
    _leave_typing(app_state, qtbot)
    seen = _answer_boxes(qtbot, ["Buang ketikan", "Enter"])
    editor = _with_real_prompts(app_state, qtbot)
    assert len(seen) == 2 and "tidak bisa dikembalikan" in seen[1]
    assert editor.household.inputs["address"].text() == "JL. MAWAR NO. 7"
    assert load_form(app_state.ctx, NEW_KEY) is not None


def test_buang_ketikan_then_yes_forgets_the_typing(app_state, qtbot):
    _leave_typing(app_state, qtbot)
    _answer_boxes(qtbot, ["Buang ketikan", "Ya, buang"])
    editor = _with_real_prompts(app_state, qtbot)
    assert editor.household.inputs["address"].text() == ""
    assert load_form(app_state.ctx, NEW_KEY) is None


def test_closing_with_unsaved_typing_says_it_is_kept_as_a_draft(app_state, qtbot):
    answers = Answers()
    editor = open_editor(app_state, qtbot, answers)
    editor.household.inputs["address"].setFocus()
    qtbot.keyClicks(editor.household.inputs["address"], "JL. MAWAR NO. 7")
    editor.close()
    assert any("konsep" in text for text in answers.asked), answers.asked
    assert load_form(app_state.ctx, NEW_KEY)["form"]["household"]["address"] == "JL. MAWAR NO. 7"


def test_closing_an_untouched_form_says_nothing(app_state, qtbot):
    answers = Answers()
    editor = open_editor(app_state, qtbot, answers)
    editor.close()
    assert answers.asked == []


# --- a Konsep is always saved; its problems listed in form order, with labels ---------


def _type_into_cell(qtbot, editor, row, column, text):
    table = editor.members.table
    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClicks(table, text[0])
    qtbot.keyClicks(cell_editor(editor), text[1:])
    qtbot.keyClick(cell_editor(editor), Qt.Key.Key_Return)


def test_an_incomplete_konsep_is_saved_by_the_save_button(app_state, qtbot):
    from app.services.proposals import get_proposal, list_proposals

    editor = open_editor(app_state, qtbot)
    qtbot.keyClicks(editor.household.inputs["address"], "JL. MAWAR NO. 7")
    _type_into_cell(qtbot, editor, 0, 0, "3575034708")  # half a NIK
    _type_into_cell(qtbot, editor, 0, 4, "31-02-19")  # not a date yet
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.proposal_id is not None, timeout=3000)
    assert list_proposals(app_state.ctx).total == 1
    stored = get_proposal(app_state.ctx, editor.proposal_id).proposal
    assert stored.household.address == "JL. MAWAR NO. 7"
    assert stored.household.members[0].nik == "3575034708"
    assert stored.household.members[0].birth_date is None
    # What could not be stored stays as typed, in the cell and in the kept typing.
    assert editor.members.table.item(0, 4).text() == "31-02-19"
    editor.autosave.flush()
    kept = load_form(app_state.ctx, f"proposal:{editor.proposal_id}")
    assert kept["form"]["household"]["members"][0]["birth_date"] == "31-02-19"
    assert "Konsep" in editor.status.text()


def test_the_problems_are_listed_in_form_order_with_labels_never_paths(app_state, qtbot):
    editor = open_editor(app_state, qtbot)
    _type_into_cell(qtbot, editor, 0, 4, "31-02-19")
    _type_into_cell(qtbot, editor, 0, 0, "3575034708")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.proposal_id is not None, timeout=3000)
    qtbot.waitUntil(lambda: "Anggota 1, NIK" in editor.issues.text(), timeout=3000)
    text = editor.issues.text()
    assert "members[" not in text and "kk_number" not in text and "birth_date" not in text
    order = ["No. KK:", "Alamat:", "RT:", "RW:", "Anggota 1, NIK:", "Anggota 1, Nama:", "Anggota 1, Tanggal lahir:"]
    positions = [text.index(label) for label in order]
    assert positions == sorted(positions), text
    assert "Member" not in editor.members.message.text()
    assert "members[" not in editor.members.message.text()


def test_a_kk_number_pasted_with_spaced_dashes_keeps_every_digit(app_state, qtbot):
    from app.services.proposals import get_proposal
    from tests.factories import KK

    editor = open_editor(app_state, qtbot)
    field = editor.household.inputs["kk_number"]
    field.setFocus()
    QApplication.clipboard().setText("357503 \u2013 120315 \u2013 0004")  # 22 characters, as from a letter
    field.paste()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.proposal_id is not None, timeout=3000)
    assert get_proposal(app_state.ctx, editor.proposal_id).proposal.household.kk_number == KK
