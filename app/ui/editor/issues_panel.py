"""Above the form: what cannot be saved yet, and each warning with its "I have checked" box."""

from __future__ import annotations

from app.domain.validation import Issue
from app.i18n import _
from app.ui.editor.messages import ERROR_STYLE, WARNING_STYLE, issue_text
from app.ui.qt import QCheckBox, QLabel, QVBoxLayout, QWidget, Signal


class IssuesPanel(QWidget):
    confirmations_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(ERROR_STYLE)
        self.loose = QLabel()  # errors no field of the form shows
        self.loose.setWordWrap(True)
        self.loose.setStyleSheet(ERROR_STYLE)
        self.warnings_box = QVBoxLayout()
        self.checks: dict[str, QCheckBox] = {}
        # Confirmations outlive a single check: the same warning comes back on every keystroke.
        self.confirmed: set[str] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.loose)
        layout.addLayout(self.warnings_box)
        self.show_report([], [], summary="")

    def show_report(self, loose: list[Issue], warnings: list[Issue], *, summary: str) -> None:
        self.summary.setText(summary)
        self.summary.setVisible(bool(summary))
        self.loose.setText("\n".join(issue_text(i) for i in loose))
        self.loose.setVisible(bool(loose))
        for box in self.checks.values():
            self.warnings_box.removeWidget(box)
            box.deleteLater()
        self.checks = {}
        for issue in warnings:
            if issue.code in self.checks:
                continue
            box = QCheckBox(_("{warning} — I have checked (saya sudah memeriksa)").format(warning=issue_text(issue)))
            box.setStyleSheet(WARNING_STYLE)
            box.setChecked(issue.code in self.confirmed)
            box.toggled.connect(lambda on, code=issue.code: self._toggle(code, on))
            self.warnings_box.addWidget(box)
            self.checks[issue.code] = box
        self.setVisible(bool(summary or loose or warnings))

    def _toggle(self, code: str, on: bool) -> None:
        (self.confirmed.add if on else self.confirmed.discard)(code)
        self.confirmations_changed.emit()
