"""Periksa kesehatan: the doctor's checks on a screen, each with what to do."""

from __future__ import annotations

from app.i18n import _
from app.services import doctor
from app.ui.errors import error_text
from app.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

STATUS_WORDS = {doctor.OK: "OK", doctor.WARN: "!", doctor.FAIL: "✗"}


class HealthDialog(QDialog):
    def __init__(self, state, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(_("Check health"))
        self.summary = QLabel(_("Checking ..."))
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("Check"), _("Finding"), _("What to do")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 420)
        self.checks: list[doctor.Check] = []

    def run(self) -> None:
        self.state.run(doctor.run_checks, self.show_checks, on_error=lambda e: self.summary.setText(error_text(e)))

    def show_checks(self, checks: list[doctor.Check]) -> None:
        self.checks = checks
        self.table.setRowCount(len(checks))
        for row, check in enumerate(checks):
            for column, text in enumerate((f"{STATUS_WORDS[check.status]}  {check.title}", check.detail, check.action)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        verdict = doctor.worst(checks)
        self.summary.setText({doctor.OK: _("All checks passed."),
                              doctor.WARN: _("Some checks need attention."),
                              doctor.FAIL: _("Some checks found a problem: do what the last column says.")}[verdict])
