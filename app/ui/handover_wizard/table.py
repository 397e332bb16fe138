"""The handover list's views: a filter over the model, the "handed to" drop-down, the table, the status line."""

from __future__ import annotations

from app.ui.handover_wizard.model import HandoverModel
from app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QSortFilterProxyModel,
    QStyledItemDelegate,
    Qt,
    QTableView,
)


class WorkFilter(QSortFilterProxyModel):
    """Text filter over every column, and optionally only the rows still without a note."""

    def __init__(self, source: HandoverModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.missing_only = False

    def show_missing_only(self, on: bool) -> None:
        self.beginFilterChange()
        self.missing_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, parent) -> bool:  # noqa: N802 (Qt API)
        if self.missing_only and self.sourceModel().rows[source_row].note.strip():
            return False
        return super().filterAcceptsRow(source_row, parent)


class TargetDelegate(QStyledItemDelegate):
    """A drop-down of the people (and the pool) in the "handed to" cell."""

    def __init__(self, model: HandoverModel, parent=None) -> None:
        super().__init__(parent)
        self.source = model

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt API)
        combo = QComboBox(parent)
        for pid, name in self.source.choices():
            combo.addItem(name, pid)
        return combo

    def setEditorData(self, editor, index) -> None:  # noqa: N802 (Qt API)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor, model, index) -> None:  # noqa: N802 (Qt API)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def work_table(proxy: WorkFilter, model: HandoverModel) -> QTableView:
    view = QTableView()
    view.setModel(proxy)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                         | QAbstractItemView.EditTrigger.AnyKeyPressed)
    view.setItemDelegateForColumn(HandoverModel.TARGET, TargetDelegate(model, view))
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(HandoverModel.ITEM, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(HandoverModel.NOTE, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setDefaultSectionSize(24)
    return view


def show_message(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setObjectName("errorText" if error else "okText")
    label.setText(text)
    label.style().unpolish(label)
    label.style().polish(label)
