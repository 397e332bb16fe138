"""The household's members, one row per person on the KK, with add and remove."""

from __future__ import annotations

from datetime import date

from app.domain.fields import field_order
from app.domain.household import RELATIONSHIP_LABELS, SEX_LABELS, Relationship, Sex
from app.domain.validation import Issue
from app.i18n import N_, _
from app.ui.column_widths import WIDEST_DATE, WIDEST_NUMBER, fit_column
from app.ui.editor.messages import ERROR_STYLE, issue_text, member_field
from app.ui.qt import (
    QAbstractItemView,
    QBrush,
    QColor,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

# (field in the JSON form, header); sex and relationship are combo boxes, the rest text.
COLUMNS = (
    ("nik", N_("NIK")),
    ("name", N_("Name")),
    ("sex", N_("Sex")),
    ("birth_place", N_("Birth place")),
    ("birth_date", N_("Birth date (DD-MM-YYYY)")),
    ("relationship", N_("Relationship")),
    ("mother_name", N_("Mother's name")),
)
FIELD_COLUMN = {name: index for index, (name, _h) in enumerate(COLUMNS)}
COMBOS = ("sex", "relationship")
ERROR_BACKGROUND = QColor("#fde7e4")


def parse_date(text: str) -> str | None:
    """``07-08-1985`` (as written on the KK) -> ISO ``1985-08-07``; None when it is not a date."""
    parts = text.strip().replace("/", "-").split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
    except ValueError:
        return None


def show_date(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d-%m-%Y")
    except (TypeError, ValueError):
        return iso or ""


class KeepTypingDelegate(QStyledItemDelegate):
    """Fills a cell editor once, when it opens, and never again while it is open.

    Qt hands a cell's editor the model's value on every change of that cell, whatever the role:
    marking the cell red after a check (a background) replaced what the operator was typing
    with the old, empty text, so a fast typist lost all but the last digits of a NIK.
    """

    FILLED = "usulkan_filled"

    def setEditorData(self, editor, index) -> None:  # noqa: N802 (Qt's name)
        if editor.property(self.FILLED):
            return
        super().setEditorData(editor, index)
        editor.setProperty(self.FILLED, True)


class MembersTable(QGroupBox):
    edited = Signal(str)  # "members[2].nik"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Members of the household"), parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_(header) for _n, header in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # An empty row of a new proposal sized the NIK column to its header: 16 digits were cut.
        for name, texts in (("nik", [WIDEST_NUMBER]), ("birth_date", [WIDEST_DATE])):
            fit_column(self.table, FIELD_COLUMN[name], texts)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(True)
        self.table.setItemDelegate(KeepTypingDelegate(self.table))
        self.table.itemChanged.connect(self._item_changed)
        self.add_button = QPushButton(_("Add member"))
        self.remove_button = QPushButton(_("Remove selected member"))
        self.add_button.clicked.connect(lambda: self.add_member())
        self.remove_button.clicked.connect(self.remove_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        self._filling = False

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._row_messages: dict[tuple[int, str], list[Issue]] = {}

    # --- rows -----------------------------------------------------------------------

    def add_member(self, member: dict | None = None) -> int:
        member = member or {}
        row = self.table.rowCount()
        self._filling = True
        self.table.insertRow(row)
        for column, (name, _h) in enumerate(COLUMNS):
            if name in COMBOS:
                combo = QComboBox()
                labels = SEX_LABELS if name == "sex" else RELATIONSHIP_LABELS
                for value, label in labels.items():
                    combo.addItem(_(label), value.value)
                default = member.get(name) or (
                    Relationship.KEPALA_KELUARGA.value if name == "relationship" and row == 0
                    else Relationship.ANAK.value if name == "relationship" else Sex.L.value
                )
                combo.setCurrentIndex(max(combo.findData(default), 0))
                combo.currentIndexChanged.connect(lambda _i, c=combo, n=name: self._combo_changed(c, n))
                self.table.setCellWidget(row, column, combo)
            else:
                value = member.get(name) or ""
                self.table.setItem(row, column, QTableWidgetItem(show_date(value) if name == "birth_date" else value))
        self._filling = False
        return row

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self.edited.emit("members")

    def _row_of_widget(self, widget) -> int:
        for row in range(self.table.rowCount()):
            for column in (FIELD_COLUMN[n] for n in COMBOS):
                if self.table.cellWidget(row, column) is widget:
                    return row
        return -1

    def _combo_changed(self, combo, name: str) -> None:
        if not self._filling:
            self.edited.emit(f"members[{self._row_of_widget(combo)}].{name}")

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling:
            self.edited.emit(f"members[{item.row()}].{COLUMNS[item.column()][0]}")

    def set_cell(self, row: int, name: str, value: str) -> None:
        """Type into a cell as the operator would (tests and paste use it)."""
        column = FIELD_COLUMN[name]
        if name in COMBOS:
            combo = self.table.cellWidget(row, column)
            combo.setCurrentIndex(max(combo.findData(value), 0))
        else:
            self.table.item(row, column).setText(value)

    def commit_open_editor(self) -> None:
        """Take what is typed in an open cell into the table, leaving the cell open for more.

        Autosave and closing the window call this first: a name still in its cell editor was
        not in the table yet, so it was neither kept nor offered back.
        """
        if self.table.state() != QAbstractItemView.State.EditingState:
            return
        editor = self.table.indexWidget(self.table.currentIndex())
        if editor is not None:
            self.table.commitData(editor)

    # --- values ---------------------------------------------------------------------

    def values(self) -> tuple[list[dict], list[tuple[str, str]]]:
        """The members in the JSON form, and (field, problem) for dates that are not dates."""
        members, problems = [], []
        for row in range(self.table.rowCount()):
            member = {}
            for column, (name, _h) in enumerate(COLUMNS):
                if name in COMBOS:
                    member[name] = self.table.cellWidget(row, column).currentData()
                else:
                    item = self.table.item(row, column)
                    member[name] = item.text().strip() if item else ""
            raw = member["birth_date"]
            parsed = parse_date(raw) if raw else ""  # empty: "not filled in", said by validation
            if parsed is None:
                problems.append((f"members[{row}].birth_date", raw))
            member["birth_date"] = parsed or raw
            members.append(member)
        return members, problems

    def set_values(self, members: list[dict]) -> None:
        self.table.setRowCount(0)
        for member in members:
            self.add_member(member)

    def names(self) -> list[tuple[str, str]]:
        """(NIK, name) of each member: the sanggahan's choice of person."""
        members, _problems = self.values()
        return [(m["nik"], m["name"]) for m in members if m["nik"]]

    # --- messages -------------------------------------------------------------------

    def show_issues(self, by_field: dict[str, list[Issue]]) -> set[str]:
        """Mark the cells with issues and list them under the table; return the fields taken."""
        taken: set[str] = set()
        self._row_messages = {}
        lines = []
        for field, issues in sorted(by_field.items(), key=lambda item: field_order(item[0])):
            if field == "members":
                taken.add(field)
                lines.extend(issue_text(i) for i in issues)
                continue
            located = member_field(field)
            if located is None or located[0] >= self.table.rowCount():
                continue
            taken.add(field)
            row, name = located
            self._row_messages[(row, name)] = issues
            header = _(dict(COLUMNS).get(name, name)) if name in FIELD_COLUMN else name
            for issue in issues:
                lines.append(
                    _("Member {number}, {column}: {message}").format(
                        number=row + 1, column=header, message=issue_text(issue)
                    )
                )
        self._filling = True
        for row in range(self.table.rowCount()):
            for column, (name, _h) in enumerate(COLUMNS):
                issues = self._row_messages.get((row, name), [])
                item = self.table.item(row, column)
                widget = self.table.cellWidget(row, column)
                tip = "\n".join(issue_text(i) for i in issues)
                if item is not None:
                    item.setBackground(QBrush(ERROR_BACKGROUND) if issues else QBrush())
                    item.setToolTip(tip)
                elif widget is not None:
                    widget.setStyleSheet("background: #fde7e4;" if issues else "")
                    widget.setToolTip(tip)
        self._filling = False
        self.message.setText("\n".join(lines))
        self.message.setVisible(bool(lines))
        return taken

    def message_for(self, row: int, name: str) -> str:
        """The text shown for one cell (empty when it has none)."""
        return "\n".join(issue_text(i) for i in self._row_messages.get((row, name), []))

    def set_read_only(self, read_only: bool) -> None:
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers if read_only else QAbstractItemView.EditTrigger.AllEditTriggers
        )
        for row in range(self.table.rowCount()):
            for name in COMBOS:
                self.table.cellWidget(row, FIELD_COLUMN[name]).setEnabled(not read_only)
        self.add_button.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only)
