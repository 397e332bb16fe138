"""Usulan pembaruan: which DTSEN socio-economic items changed, from what, to what."""

from __future__ import annotations

from app.domain.socioeconomic import VARIABLES, variable
from app.domain.validation import Issue
from app.i18n import N_, _
from app.ui.editor.messages import ERROR_STYLE, change_field, issue_text
from app.ui.qt import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)

HEADERS = (N_("Item"), N_("In the DTSEN now"), N_("As it really is"))


class ChangesTable(QWidget):
    edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.add_button = QPushButton(_("Add changed item"))
        self.remove_button = QPushButton(_("Remove selected item"))
        self.add_button.clicked.connect(lambda: self.add_change())
        self.remove_button.clicked.connect(self.remove_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def add_change(self, change: dict | None = None) -> int:
        change = change or {}
        row = self.table.rowCount()
        self.table.insertRow(row)
        item = QComboBox()
        for var in VARIABLES:
            item.addItem(_(var.label), var.code)
        item.setCurrentIndex(max(item.findData(change.get("variable")), 0))
        old, new = QComboBox(), QComboBox()
        self.table.setCellWidget(row, 0, item)
        self.table.setCellWidget(row, 1, old)
        self.table.setCellWidget(row, 2, new)
        self._fill_choices(item, old, new, change.get("old"), change.get("new"))
        item.currentIndexChanged.connect(lambda _i: self._variable_changed(item, old, new))
        old.currentIndexChanged.connect(lambda _i: self.edited.emit("changes"))
        new.currentIndexChanged.connect(lambda _i: self.edited.emit("changes"))
        return row

    def _fill_choices(self, item, old, new, old_value=None, new_value=None) -> None:
        var = variable(item.currentData())
        for combo, value in ((old, old_value), (new, new_value)):
            combo.blockSignals(True)
            combo.clear()
            for choice in var.choices if var else ():
                combo.addItem(_(choice.label), choice.code)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)

    def _variable_changed(self, item, old, new) -> None:
        self._fill_choices(item, old, new)
        self.edited.emit("changes")

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.edited.emit("changes")

    def values(self) -> list[dict]:
        return [
            {
                "variable": self.table.cellWidget(row, 0).currentData(),
                "old": self.table.cellWidget(row, 1).currentData(),
                "new": self.table.cellWidget(row, 2).currentData(),
            }
            for row in range(self.table.rowCount())
        ]

    def set_values(self, changes: list[dict]) -> None:
        self.table.setRowCount(0)
        for change in changes:
            self.add_change(change)

    def show_issues(self, by_field: dict[str, list[Issue]]) -> set[str]:
        taken, lines = set(), []
        for field, issues in by_field.items():
            located = change_field(field)
            if field != "changes" and located is None:
                continue
            taken.add(field)
            for issue in issues:
                text = issue_text(issue)
                lines.append(text if located is None else _("Row {number}: {message}").format(
                    number=located[0] + 1, message=text))
        self.message.setText("\n".join(lines))
        self.message.setVisible(bool(lines))
        return taken

    def set_read_only(self, read_only: bool) -> None:
        for row in range(self.table.rowCount()):
            for column in range(3):
                self.table.cellWidget(row, column).setEnabled(not read_only)
        self.add_button.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only)
