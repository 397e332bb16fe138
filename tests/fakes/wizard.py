"""Clicking through a QWizard as the person does: its buttons, a click that insists the button is enabled."""

from __future__ import annotations

from app.ui.qt import Qt, QWizard

B_PASS = "sandi operator budi"
NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
FINISH = QWizard.WizardButton.FinishButton


def click(qtbot, widget):
    assert widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
