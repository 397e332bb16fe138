"""Pulihkan dari cadangan: pick a backup (a folder, or the stick holding several), unlock it, restore it here."""

from __future__ import annotations

from pathlib import Path

from app.i18n import _
from app.ui.editor.prompts import Prompts
from app.ui.errors import error_text
from app.ui.qt import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import AppState

RECOVERY = "__recovery__"


def backup_in(folder: Path, prompts: Prompts) -> Path | None:
    """``folder`` itself when it is a backup, else one of the good backups inside it (asked, newest first)."""
    from app.services import backup

    if (folder / backup.MANIFEST).is_file():
        return folder
    found = list(reversed(backup.list_backups(folder)))
    if not found:
        return None
    if len(found) == 1:
        return found[0].path
    choices = [(str(b.path), f"{b.created_at:%Y-%m-%d %H:%M} UTC \u00b7 {b.reason}") for b in found]
    picked = prompts.choose(_("Restore from a backup"), _("Which backup?"), choices)
    return Path(picked) if picked else None


class RestoreDialog(QDialog):
    """``exec()`` returns Accepted with ``self.ctx`` holding the restored, unlocked office."""

    def __init__(self, state: AppState, parent: QWidget | None = None, prompts: Prompts | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = prompts or Prompts(self)
        self.ctx = None
        self.backup: Path | None = None
        self.setWindowTitle(_("Restore from a backup"))
        self.setMinimumWidth(480)
        intro = QLabel(_("Choose the backup folder (or the stick that holds it). It opens with a passphrase that was "
                         "valid when the backup was made, or with the Lurah's recovery code of that time."))
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.chosen = QLabel(_("No backup chosen yet."))
        self.chosen.setWordWrap(True)
        self.choose_button = QPushButton(_("Choose backup ..."))
        self.choose_button.clicked.connect(self.choose_backup)
        self.operator = QComboBox()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.returnPressed.connect(self.restore)
        self.restore_button = QPushButton(_("Restore"))
        self.restore_button.setObjectName("primary")
        self.restore_button.clicked.connect(self.restore)
        self.restore_button.setEnabled(False)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        form = QFormLayout()
        form.addRow(_("Name"), self.operator)
        form.addRow(_("Passphrase or recovery code"), self.secret)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(self.chosen, 1)
        row.addWidget(self.choose_button)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

    def choose_backup(self) -> None:
        from app.services import restore

        folder = self.prompts.open_folder(_("Choose the backup folder"))
        if folder is None:
            return
        picked = backup_in(folder, self.prompts)
        if picked is None:
            self.message.setText(_("There is no good backup in {folder}.").format(folder=folder))
            return
        try:
            info = restore.describe(picked)
        except Exception as error:  # an incomplete or damaged copy: say so, keep the dialog
            self.message.setText(error_text(error))
            return
        self.backup = picked
        self.chosen.setText(_("Backup of {when} (UTC): {path}").format(when=f"{info.created_at:%Y-%m-%d %H:%M}",
                                                                      path=picked))
        self.operator.clear()
        for name in restore.operators_in(picked):
            self.operator.addItem(name, name)
        self.operator.addItem(_("Lurah, with the recovery code"), RECOVERY)
        self.message.setText("")
        self.restore_button.setEnabled(True)
        self.secret.setFocus()

    def restore(self) -> None:
        from app.services import restore

        if self.backup is None or not self.restore_button.isEnabled():
            return
        secret = self.secret.text()
        if not secret:
            self.message.setText(_("Type your passphrase."))
            return
        who, backup, target = self.operator.currentData(), self.backup, self.state.data_dir
        if who == RECOVERY:
            def work():
                return restore.restore_backup(backup, target, recovery_code=secret)
        else:
            def work():
                return restore.restore_backup(backup, target, operator=who, passphrase=secret)
        self._busy(True)
        self.state.run_plain(work, self._restored, self._failed)

    def _restored(self, ctx) -> None:
        self._busy(False)
        self.secret.clear()
        self.ctx = ctx
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.message.setText(error_text(error))

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.restore_button, self.choose_button, self.secret, self.operator):
            widget.setEnabled(not busy)
