"""Batal in the handover wizard asks before the notes written for the successor are thrown away."""

from __future__ import annotations

from app.ui.handover_wizard import HandoverModel, HandoverWizard
from app.ui.qt import QApplication, QLineEdit, QMessageBox, Qt, QTimer, QWizard
from bench.handover import seed_open_work

CANCEL = QWizard.WizardButton.CancelButton


def _wizard(app_state, qtbot, request) -> HandoverWizard:
    seed_open_work(app_state.ctx, 6)
    wizard = HandoverWizard(app_state, open_files=False)

    def close() -> None:
        wizard.prompts.confirm = lambda *_a, **_k: True  # the test is over: the notes may go
        wizard.close()
        wizard.deleteLater()

    request.addfinalizer(close)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow, timeout=2000)
    qtbot.waitUntil(lambda: wizard.work_page.loaded, timeout=3000)
    return wizard


def _type_note(qtbot, wizard, text: str, *, finish: bool = True) -> None:
    table = wizard.work_page.table
    index = table.model().index(0, HandoverModel.NOTE)
    table.setFocus()
    table.setCurrentIndex(index)
    table.edit(index)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, text)
    if finish:
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def _answer(qtbot, button_text: str, seen: list[str]) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        if button_text == "Enter":
            qtbot.keyClick(box, Qt.Key.Key_Return)
        else:
            (button,) = [b for b in box.buttons() if b.text() == button_text]
            button.click()

    QTimer.singleShot(20, answer)


def test_batal_with_a_written_note_asks_and_enter_keeps_the_wizard_open(app_state, qtbot, request):
    wizard = _wizard(app_state, qtbot, request)
    _type_note(qtbot, wizard, "Sudah ditelepon, tunggu KK baru")
    seen: list[str] = []
    _answer(qtbot, "Enter", seen)
    qtbot.mouseClick(wizard.button(CANCEL), Qt.MouseButton.LeftButton)
    assert seen and "catatan" in seen[0]
    assert wizard.isVisible()
    assert wizard.model.rows[0].note == "Sudah ditelepon, tunggu KK baru"


def test_a_note_still_in_its_cell_counts_too(app_state, qtbot, request):
    wizard = _wizard(app_state, qtbot, request)
    _type_note(qtbot, wizard, "Belum selesai diketik", finish=False)
    seen: list[str] = []
    _answer(qtbot, "Enter", seen)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)  # Esc is Batal too
    assert seen and wizard.isVisible()
    assert wizard.model.rows[0].note == "Belum selesai diketik"


def test_discarding_the_notes_closes_the_wizard(app_state, qtbot, request):
    wizard = _wizard(app_state, qtbot, request)
    _type_note(qtbot, wizard, "Sudah ditelepon")
    seen: list[str] = []
    _answer(qtbot, "Buang catatan", seen)
    qtbot.mouseClick(wizard.button(CANCEL), Qt.MouseButton.LeftButton)
    assert seen and not wizard.isVisible()


def test_batal_without_notes_closes_at_once(app_state, qtbot, request):
    wizard = _wizard(app_state, qtbot, request)
    qtbot.mouseClick(wizard.button(CANCEL), Qt.MouseButton.LeftButton)
    assert not wizard.isVisible()
