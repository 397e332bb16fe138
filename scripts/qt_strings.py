"""List the (context, source text) pairs Qt asks translators for in the dialogs Usulkan opens.

PySide6 ships no qtbase_id, so resources/locale/id/ui_session.po carries the Indonesian for
Qt's own dialogs under Qt's contexts (msgctxt "QFileDialog", ...). Run after a Qt upgrade:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/qt_strings.py

and translate what it prints that the catalogue does not have yet.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTranslator
from PySide6.QtPrintSupport import QPageSetupDialog, QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QScrollBar,
    QSpinBox,
    QWizard,
    QWizardPage,
)

SKIP = {"QPageSize", "QGuiApplication", "QShortcut"}  # paper names and key names stay as Qt writes them


class Recorder(QTranslator):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.seen: set[tuple[str, str]] = set()

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: N802 (Qt API)
        if source_text and context not in SKIP:
            self.seen.add((context, source_text))
        return None

    def isEmpty(self) -> bool:  # noqa: N802 (Qt API)
        return False


def record(app: QApplication) -> set[tuple[str, str]]:
    recorder = Recorder(app)
    app.installTranslator(recorder)
    box = QDialogButtonBox()
    for button in QDialogButtonBox.StandardButton:
        if button.value and bin(button.value).count("1") == 1 and button.value < 0x8000000:
            box.addButton(button)
    dialog = QFileDialog()
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        dialog.setAcceptMode(mode)
        dialog.show()
        app.processEvents()
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    app.processEvents()
    dialog.hide()
    printer = QPrinter()
    for shown in (QPrintDialog(printer), QPrintPreviewDialog(printer), QPageSetupDialog(printer), QMessageBox()):
        shown.show()
        app.processEvents()
        shown.hide()
    QLineEdit().createStandardContextMenu()
    QPlainTextEdit().createStandardContextMenu()
    spin = QSpinBox()
    spin.lineEdit().createStandardContextMenu()
    wizard = QWizard()
    for _page in range(2):
        wizard.addPage(QWizardPage())
    message = QMessageBox()
    message.setDetailedText("x")
    others = (wizard, QInputDialog(), QProgressDialog("x", "", 0, 1), message)
    for shown in others:
        shown.show()
        app.processEvents()
        shown.hide()
    wizard.next()
    app.processEvents()
    app.removeTranslator(recorder)
    return recorder.seen


def main() -> None:
    from app import i18n

    app = QApplication.instance() or QApplication(sys.argv)
    i18n.set_language("id")
    for context, source in sorted(record(app)):
        if i18n.p_(context, source) == source:
            print(f"{context}\t{source!r}")


if __name__ == "__main__":
    main()
