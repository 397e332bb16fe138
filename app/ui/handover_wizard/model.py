"""The handover list as one table model: a row per open item, who takes it over, and the note for them.

Hundreds of rows, no widget per row; the bulk tools work on row numbers. Everything typed lives
here until the handover has committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.i18n import _, N_
from app.services.handover_work import FORM_DRAFT, WorkItem
from app.ui.handover_pdf import item_label, state_label, type_label
from app.ui.qt import QAbstractTableModel, QColor, QModelIndex, Qt

POOL = ""  # the model's name for the office pool (None in the services)
MISSING_NOTE = QColor("#fff4ce")


@dataclass
class Row:
    item: WorkItem
    target: str
    note: str = ""


class HandoverModel(QAbstractTableModel):
    """One row per open item: type, label, state, due date, who takes it over (editable), note (editable)."""

    TYPE, ITEM, STATE, DUE, TARGET, NOTE = range(6)
    HEADERS = (N_("Type"), N_("Work item"), N_("State"), N_("Due"), N_("Handed to"), N_("Note"))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.people: list[tuple[str, str]] = []
        self.names: dict[str, str] = {POOL: _("Office pool")}

    # --- loading ------------------------------------------------------------------------------

    def load(self, items: Iterable[WorkItem], people: list[tuple[str, str]], target: str) -> None:
        self.beginResetModel()
        self.people = list(people)
        self.names = {POOL: _("Office pool"), **dict(people)}
        self.rows = [Row(item, self._allowed(item, target)) for item in items]
        self.endResetModel()

    def choices(self) -> list[tuple[str, str]]:
        return [*self.people, (POOL, _("Office pool"))]

    @staticmethod
    def _allowed(item: WorkItem, target: str, fallback: str = POOL) -> str:
        # An unfinished form is someone's typing: it goes to a person, never to the pool.
        if item.type == FORM_DRAFT and target == POOL:
            return fallback
        return target

    # --- Qt model API -------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.HEADERS[section])
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        item = row.item
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.TYPE:
                return type_label(item.type)
            if column == self.ITEM:
                return item_label(item.type, item.label)
            if column == self.STATE:
                return state_label(item.type, item.state)
            if column == self.DUE:
                return item.due_date.strftime("%d-%m-%Y") if item.due_date else ""
            if column == self.TARGET:
                return self.names.get(row.target, row.target)
            if column == self.NOTE:
                return row.note
        if role == Qt.ItemDataRole.EditRole:
            if column == self.TARGET:
                return row.target
            if column == self.NOTE:
                return row.note
        if role == Qt.ItemDataRole.BackgroundRole and not row.note.strip():
            return MISSING_NOTE
        if role == Qt.ItemDataRole.ToolTipRole and item.notes:
            return _("Earlier notes:") + "\n" + "\n".join(f"\u2022 {note}" for note in item.notes)
        return None

    def flags(self, index: QModelIndex):
        flags = super().flags(index)
        if index.isValid() and index.column() in (self.TARGET, self.NOTE):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802 (Qt API)
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self.rows[index.row()]
        if index.column() == self.NOTE:
            row.note = str(value or "")
        elif index.column() == self.TARGET:
            value = str(value or POOL)
            if value not in self.names or self._allowed(row.item, value, "") != value:
                return False
            row.target = value
        else:
            return False
        self._changed(index.row(), index.row())
        return True

    def _changed(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    # --- bulk tools ---------------------------------------------------------------------------

    def assign(self, rows: Iterable[int], target: str) -> int:
        """Give ``rows`` to ``target``; returns how many could not go there (forms to the pool)."""
        rows = sorted(set(rows))
        refused = 0
        for r in rows:
            allowed = self._allowed(self.rows[r].item, target, self.rows[r].target)
            refused += allowed != target
            self.rows[r].target = allowed
        if rows:
            self._changed(rows[0], rows[-1])
        return refused

    def set_note(self, rows: Iterable[int], text: str) -> None:
        rows = sorted(set(rows))
        for r in rows:
            self.rows[r].note = text
        if rows:
            self._changed(rows[0], rows[-1])

    def follow_successor(self, old: str, new: str) -> None:
        """Rows that went to the previous successor go to the new one."""
        self.assign([r for r, row in enumerate(self.rows) if row.target == old], new)

    # --- what the service needs ---------------------------------------------------------------

    def assignments(self) -> dict[str, str | None]:
        return {row.item.key: (row.target or None) for row in self.rows}

    def notes(self) -> dict[str, str]:
        return {row.item.key: row.note.strip() for row in self.rows if row.note.strip()}

    def missing_notes(self) -> int:
        return sum(1 for row in self.rows if not row.note.strip())

    def counts(self) -> list[tuple[str, int]]:
        """(target name, number of items), people in list order, the pool last."""
        order = [pid for pid, _name in self.people] + [POOL]
        tally = {pid: 0 for pid in order}
        for row in self.rows:
            tally[row.target] = tally.get(row.target, 0) + 1
        return [(self.names.get(pid, pid), tally[pid]) for pid in order if tally[pid]]
