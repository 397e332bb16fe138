"""Pulihkan dari cadangan from the sign-in window and the first-run wizard: choose the stick, type, restored."""

from __future__ import annotations

import shutil

import pytest

from app.services import backup, restore
from app.ui.qt import QApplication, Qt, QTimer
from app.ui.restore_dialog import RECOVERY, RestoreDialog
from app.ui.signin import SignInDialog
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from app.ui.wizard import OfficeWizard
from tests.conftest import OPERATOR_PASS


class Answers:
    """The Prompts seam, answered at once: the folder picked in the dialog, the backup picked from a list."""

    def __init__(self, folder, pick_index=0):
        self.folder, self.pick_index, self.asked = folder, pick_index, []

    def open_folder(self, title, start=""):
        return self.folder

    def choose(self, title, label, choices):
        self.asked.append(choices)
        return choices[self.pick_index][0]


@pytest.fixture
def stick(tmp_path, office, created_office):
    """A stick with two backups of the office, whose folder is then destroyed (the PC died)."""
    folder, _ = created_office
    dest = tmp_path / "stick"
    first = backup.create_backup(office, reason="daily", dest=dest)
    second = backup.create_backup(office, reason="manual", dest=dest)
    office.close()
    shutil.rmtree(folder)
    return dest, first, second


def _dialog(qtbot, tmp_path, answers):
    state = AppState(tmp_path / "fresh", runner=InlineRunner())
    dialog = RestoreDialog(state, prompts=answers)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_restore_from_a_stick_with_a_passphrase(qtbot, tmp_path, stick):
    dest, first, second = stick
    answers = Answers(dest)
    dialog = _dialog(qtbot, tmp_path, answers)
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert answers.asked and answers.asked[0][0][0] == str(second.path)  # newest first
    dialog.operator.setCurrentIndex(dialog.operator.findText("Ani Operator"))
    qtbot.keyClicks(dialog.secret, OPERATOR_PASS)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.ctx is not None
    try:
        assert dialog.ctx.operator_name == "Ani Operator"
        assert restore.reconcile_pending(dialog.ctx)
        assert (tmp_path / "fresh" / "vault.json").is_file()
    finally:
        dialog.ctx.close()


def test_a_wrong_passphrase_is_said_and_nothing_is_left(qtbot, tmp_path, stick):
    dest, first, _second = stick
    dialog = _dialog(qtbot, tmp_path, Answers(first.path))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    dialog.operator.setCurrentIndex(dialog.operator.findText("Ani Operator"))
    qtbot.keyClicks(dialog.secret, "bukan sandinya sama sekali")
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.ctx is None and "salah" in dialog.message.text()
    assert not (tmp_path / "fresh").exists()


def test_restore_with_the_recovery_code(qtbot, tmp_path, stick, created_office):
    _folder, created = created_office
    dest, first, _ = stick
    dialog = _dialog(qtbot, tmp_path, Answers(first.path))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    dialog.operator.setCurrentIndex(dialog.operator.findData(RECOVERY))
    qtbot.keyClicks(dialog.secret, created.recovery_code)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.ctx is not None and dialog.ctx.operator_role == "lurah"
    dialog.ctx.close()


def test_a_truncated_backup_is_refused_in_the_dialog(qtbot, tmp_path, stick):
    dest, first, _ = stick
    db = first.path / first.database
    with db.open("r+b") as fh:
        fh.truncate(1000)
    dialog = _dialog(qtbot, tmp_path, Answers(first.path))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert not dialog.restore_button.isEnabled() and "tidak lengkap" in dialog.message.text()


def _drive_restore(dialog_owner, dest):
    """Answer the modal restore window once it is up: pick the newest backup, type, restore."""
    def step():
        restore_dialog = getattr(dialog_owner, "restore_dialog", None)
        if restore_dialog is None or not restore_dialog.isVisible():
            QTimer.singleShot(20, step)
            return
        restore_dialog.prompts = Answers(dest)
        restore_dialog.choose_backup()
        restore_dialog.operator.setCurrentIndex(restore_dialog.operator.findText("Ani Operator"))
        restore_dialog.secret.setText(OPERATOR_PASS)
        restore_dialog.restore_button.click()
    QTimer.singleShot(20, step)


def test_the_first_run_wizard_offers_the_restore(qtbot, tmp_path, stick):
    dest, _first, _second = stick
    state = AppState(tmp_path / "fresh", runner=InlineRunner())
    wizard = OfficeWizard(state)
    qtbot.addWidget(wizard)
    wizard.show()
    _drive_restore(wizard, dest)
    wizard.button(wizard.WizardButton.CustomButton1).click()
    assert wizard.ctx is not None and wizard.ctx.operator_name == "Ani Operator"
    wizard.ctx.close()


def test_the_sign_in_window_offers_the_restore(qtbot, tmp_path, stick):
    dest, _first, _second = stick
    empty = tmp_path / "fresh"
    state = AppState(empty, runner=InlineRunner())
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    _drive_restore(dialog, dest)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert dialog.ctx is not None and dialog.ctx.operator_name == "Ani Operator"
    dialog.ctx.close()
