"""Small modal questions (confirm, a reason, a file): one place, so tests can answer them instead."""

from __future__ import annotations

from pathlib import Path

from app.i18n import _
from app.ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)


class Prompts:
    """The questions a page may ask; tests replace an instance with one that answers at once."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def confirm(self, title: str, text: str, *, yes: str | None = None) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.parent)
        ok = box.addButton(yes or _("Yes"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
        # A destructive or irreversible step must never be the Enter-key default.
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is ok

    def restore_or_discard(self, title: str, text: str) -> str:
        """"continue" or "discard" for typing left from before; continuing is the safe default.

        Enter and Esc both continue. Throwing the typing away is its own named button, and it
        asks once more (with "keep" as that question's default), so no reflex loses work.
        """
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.parent)
        keep = box.addButton(_("Continue the typing"), QMessageBox.ButtonRole.AcceptRole)
        drop = box.addButton(_("Discard typing"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        if box.clickedButton() is not drop:
            return "continue"
        sure = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Discard typing"),
            _("Throw away the typing that was not saved? It cannot be brought back."),
            parent=self.parent,
        )
        really = sure.addButton(_("Yes, discard it"), QMessageBox.ButtonRole.DestructiveRole)
        back = sure.addButton(_("No, keep it"), QMessageBox.ButtonRole.RejectRole)
        sure.setDefaultButton(back)
        sure.setEscapeButton(back)
        sure.exec()
        return "discard" if sure.clickedButton() is really else "continue"

    def text(self, title: str, label: str) -> str | None:
        """One line of text (a reason, an outcome); None when cancelled or left empty."""
        value, ok = QInputDialog.getMultiLineText(self.parent, title, label)
        value = (value or "").strip()
        return value if ok and value else None

    def secret(self, title: str, label: str) -> str | None:
        """A passphrase typed now (never shown); None when cancelled or left empty."""
        from app.ui.qt import QLineEdit

        value, ok = QInputDialog.getText(self.parent, title, label, QLineEdit.EchoMode.Password)
        return value if ok and value else None

    def choose(self, title: str, label: str, choices: list[tuple[str, str]]) -> str | None:
        """One of ``choices`` (value, label); None when cancelled."""
        labels = [text for _value, text in choices]
        picked, ok = QInputDialog.getItem(self.parent, title, label, labels, 0, False)
        return choices[labels.index(picked)][0] if ok and picked in labels else None

    def open_file(self, title: str, filters: str) -> Path | None:
        path, _filter = QFileDialog.getOpenFileName(self.parent, title, "", filters)
        return Path(path) if path else None

    def open_folder(self, title: str, start: str = "") -> Path | None:
        path = QFileDialog.getExistingDirectory(self.parent, title, start)
        return Path(path) if path else None

    def save_file(self, title: str, suggested: str, filters: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self.parent, title, suggested, filters)
        return Path(path) if path else None

    def choice_and_file(self, title: str, choices: list[tuple[str, str]]) -> tuple[str, Path] | None:
        """A decision as written in the minutes plus the scanned minutes file."""
        dialog = ChoiceAndFileDialog(self.parent, title, choices)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.path is None:
            return None
        return dialog.combo.currentData(), dialog.path

    def lurah_approval(self, title: str, text: str, *, needs_code: bool, headers=None, rows=None,
                       approve: str | None = None):
        """The Lurah's passphrase (and authenticator code) for one authority step; None when cancelled."""
        from app.ui.lurah_approval import ask_approval

        return ask_approval(self.parent, title, text, needs_code=needs_code, headers=headers, rows=rows,
                            approve=approve)

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def error(self, text: str) -> None:
        QMessageBox.warning(self.parent, _("Cannot continue"), text)


DOCUMENT_FILTER = "PDF, JPEG, PNG (*.pdf *.jpg *.jpeg *.png)"


class ChoiceAndFileDialog(QDialog):
    """Pick one decision and the document that proves it; OK stays off until both are there."""

    def __init__(self, parent: QWidget, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.path: Path | None = None
        self.combo = QComboBox()
        for value, label in choices:
            self.combo.addItem(label, value)
        self.file_label = QLabel(_("No file chosen"))
        pick = QPushButton(_("Choose the scanned minutes…"))
        pick.clicked.connect(self._pick)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.file_label, 1)
        row.addWidget(pick)
        form = QFormLayout(self)
        form.addRow(_("Decision"), self.combo)
        form.addRow(_("Minutes (berita acara)"), row)
        form.addRow(self.buttons)

    def _pick(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose the scanned minutes…"), "", DOCUMENT_FILTER)
        if path:
            self.path = Path(path)
            self.file_label.setText(self.path.name)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
