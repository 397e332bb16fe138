"""Above the form: every problem in form order with its field's label, and each warning's "checked" box."""

from __future__ import annotations

from app.domain.fields import field_label, field_order
from app.domain.validation import Issue
from app.i18n import _
from app.ui.editor.messages import ERROR_STYLE, WARNING_STYLE, issue_text
from app.ui.qt import QCheckBox, QFrame, QHBoxLayout, QLabel, QScrollArea, Qt, QVBoxLayout, QWidget, Signal

LIST_MAX_HEIGHT = 140  # a long list scrolls, so Save and Close stay on a 768-pixel screen


def ordered(issues: list[Issue]) -> list[Issue]:
    """In the order the form shows its fields (a stable sort keeps a field's own order)."""
    return sorted(issues, key=lambda issue: field_order(issue.field))


def labelled(issue: Issue) -> str:
    return _("{field}: {message}").format(field=field_label(issue.field), message=issue_text(issue))


class WrappingCheckBox(QWidget):
    """A check box whose long text wraps (QCheckBox's own text never does, and widened the window)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QCheckBox()
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setStyleSheet(WARNING_STYLE)
        self.label.setBuddy(self.box)
        self.label.mouseReleaseEvent = lambda _event: self.box.toggle()
        self.toggled = self.box.toggled
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)

    def text(self) -> str:
        return self.label.text()

    def isChecked(self) -> bool:  # noqa: N802 (as QCheckBox)
        return self.box.isChecked()

    def setChecked(self, on: bool) -> None:  # noqa: N802
        self.box.setChecked(on)

    def click(self) -> None:
        self.box.click()


class IssuesPanel(QWidget):
    confirmations_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(ERROR_STYLE)
        self.loose = QLabel()  # every error, in form order, each with its field's label
        self.loose.setWordWrap(True)
        self.loose.setStyleSheet(ERROR_STYLE)
        inner = QWidget()
        self.warnings_box = QVBoxLayout()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.loose)
        column.addLayout(self.warnings_box)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setMaximumHeight(LIST_MAX_HEIGHT)
        self.scroll.setWidget(inner)
        self.checks: dict[str, QCheckBox] = {}
        # Confirmations outlive a single check: the same warning comes back on every keystroke.
        self.confirmed: set[str] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll)
        self.show_report([], [], summary="")

    def show_report(self, errors: list[Issue], warnings: list[Issue], *, summary: str) -> None:
        self.summary.setText(summary)
        self.summary.setVisible(bool(summary))
        self.loose.setText("\n".join("• " + labelled(i) for i in ordered(errors)))
        self.loose.setVisible(bool(errors))
        for box in self.checks.values():
            self.warnings_box.removeWidget(box)
            box.deleteLater()
        self.checks = {}
        for issue in ordered(warnings):
            if issue.code in self.checks:
                continue
            box = WrappingCheckBox(_("{warning} — I have checked (saya sudah memeriksa)").format(warning=labelled(issue)))
            box.setChecked(issue.code in self.confirmed)
            box.toggled.connect(lambda on, code=issue.code: self._toggle(code, on))
            self.warnings_box.addWidget(box)
            self.checks[issue.code] = box
        self.scroll.setVisible(bool(errors or warnings))
        self.setVisible(bool(summary or errors or warnings))

    def text(self) -> str:
        """Everything the panel says, as the operator reads it (tests read it too)."""
        return "\n".join(
            [self.summary.text()] * self.summary.isVisibleTo(self)
            + [self.loose.text()] * self.loose.isVisibleTo(self)
            + [box.text() for box in self.checks.values()]
        )

    def _toggle(self, code: str, on: bool) -> None:
        (self.confirmed.add if on else self.confirmed.discard)(code)
        self.confirmations_changed.emit()
