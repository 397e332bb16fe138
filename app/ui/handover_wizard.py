"""Handover wizard: every open item of a leaving person gets a target and a note; hand over, sign, countersign.

Page 1 lists the work in one table model (hundreds of rows, no widget per row) with bulk tools;
page 2 reviews counts and items without a note; page 3 hands over and writes the signed record
off the GUI thread, then saves the PDF; page 4 lets the Lurah countersign and, if wanted, revoke
the leaver. Everything typed lives in the model until the handover has committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.clock import format_wib
from app.i18n import _, N_, n_
from app.services import handover, handover_report, operators
from app.services import lurah as lurah_service
from app.services.context import OfficeContext
from app.services.handover_report import HandoverRecordView
from app.services.handover_work import FORM_DRAFT, WorkItem
from app.ui.editor.prompts import Prompts
from app.ui.errors import error_text
from app.ui.lurah_approval import LurahApprovalFields
from app.ui.handover_pdf import default_file_name, handover_pdf, item_label, state_label, type_label
from app.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QCheckBox,
    QColor,
    QComboBox,
    QDesktopServices,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
    QLabel,
    QLineEdit,
    QModelIndex,
    QProgressBar,
    QPushButton,
    QSortFilterProxyModel,
    QStyledItemDelegate,
    Qt,
    QTableView,
    QUrl,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from app.ui.receipt_pdf import write_private
from app.ui.people.common import PEOPLE
from app.ui.state import COMPLAINTS, OFFICE, PROPOSALS, AppState

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


def _table(proxy: WorkFilter, model: HandoverModel) -> QTableView:
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


def _message(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setObjectName("errorText" if error else "okText")
    label.setText(text)
    label.style().unpolish(label)
    label.style().polish(label)


class WorkPage(QWizardPage):
    """Page 1: the leaver's open work, a target and a note per row, and bulk tools."""

    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.loaded = False
        self.setTitle(_("Open work to hand over"))
        self.setSubTitle(_("Choose who takes over each item and leave a note where it helps. "
                           "Select several rows to give them the same person or the same note."))
        self.model = wizard.model
        self.proxy = WorkFilter(self.model)
        self.successor = QComboBox()
        self.successor.currentIndexChanged.connect(self._successor_changed)
        self._last_successor = POOL
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter the list"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = _table(self.proxy, self.model)

        self.bulk_target = QComboBox()
        self.assign_selected_button = QPushButton(_("Assign selected"))
        self.assign_selected_button.clicked.connect(self.assign_selected)
        self.assign_all_button = QPushButton(_("Assign all"))
        self.assign_all_button.clicked.connect(self.assign_all)
        self.bulk_note = QLineEdit()
        self.bulk_note.setPlaceholderText(_("The same note for every selected item"))
        self.apply_note_button = QPushButton(_("Set note for selected"))
        self.apply_note_button.clicked.connect(self.apply_note_to_selected)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.model.dataChanged.connect(lambda *_a: self._summarise())
        self.model.modelReset.connect(self._summarise)

        top = QFormLayout()
        top.addRow(_("Main successor"), self.successor)
        top.addRow(_("Filter"), self.filter)
        assign_row = QHBoxLayout()
        assign_row.addWidget(QLabel(_("Hand to")))
        assign_row.addWidget(self.bulk_target, 1)
        assign_row.addWidget(self.assign_selected_button)
        assign_row.addWidget(self.assign_all_button)
        note_row = QHBoxLayout()
        note_row.addWidget(self.bulk_note, 1)
        note_row.addWidget(self.apply_note_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(assign_row)
        layout.addLayout(note_row)
        layout.addWidget(self.status)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        if not self.loaded:
            self.load()

    def load(self) -> None:
        from_operator = self._wizard.from_operator
        _message(self.status, _("Reading the open work ..."))

        def read(ctx: OfficeContext):
            return (handover.open_work(ctx, from_operator), handover_report.successors(ctx, from_operator),
                    handover_report.lurah_of(ctx), handover_report.operator_name(ctx, from_operator))

        self._wizard.state.run(read, self._loaded, on_error=lambda e: _message(self.status, error_text(e), error=True))

    def _loaded(self, result) -> None:
        items, people, lurah, name = result
        self._wizard.lurah, self._wizard.from_name = lurah, name
        self.successor.blockSignals(True)
        self.successor.clear()
        self.bulk_target.clear()
        for pid, person in people:
            self.successor.addItem(person, pid)
            self.bulk_target.addItem(person, pid)
        self.successor.addItem(_("Office pool"), POOL)
        self.bulk_target.addItem(_("Office pool"), POOL)
        # A fellow operator rather than the Lurah by default: the Lurah rarely does the daily work.
        preferred = next((i for i, (pid, _n) in enumerate(people) if lurah is None or pid != lurah[0]), 0)
        self.successor.setCurrentIndex(preferred)
        self.successor.blockSignals(False)
        self._last_successor = self.successor.currentData() or POOL
        self.bulk_target.setCurrentIndex(self.successor.currentIndex())
        self.model.load(items, people, self._last_successor)
        self.table.resizeColumnToContents(HandoverModel.TYPE)
        self.loaded = True
        self.completeChanged.emit()

    def _successor_changed(self, _index: int) -> None:
        new = self.successor.currentData() or POOL
        self.model.follow_successor(self._last_successor, new)
        self._last_successor = new
        self.bulk_target.setCurrentIndex(self.bulk_target.findData(new))

    def selected_rows(self) -> list[int]:
        rows = {self.proxy.mapToSource(index).row() for index in self.table.selectionModel().selectedRows()}
        return sorted(rows)

    def select_rows(self, rows: Iterable[int]) -> None:
        """Select source rows (what a mouse drag or Ctrl-click does); tests and the benchmark use it."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r in rows:
            index = self.proxy.mapFromSource(self.model.index(r, 0))
            if index.isValid():
                selection.select(index, flags)

    def _bulk_target(self) -> str:
        return self.bulk_target.currentData() or POOL

    def assign_selected(self) -> None:
        self._report_refused(self.model.assign(self.selected_rows(), self._bulk_target()))

    def assign_all(self) -> None:
        # "All" means every row the filter shows: filter by type first to hand, say, every complaint.
        rows = [self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in range(self.proxy.rowCount())]
        self._report_refused(self.model.assign(rows, self._bulk_target()))

    def _report_refused(self, refused: int) -> None:
        if refused:
            _message(self.status, n_("{count} unfinished form stays with a person: a form cannot go to the office pool.",
                                     "{count} unfinished forms stay with a person: a form cannot go to the "
                                     "office pool.", refused).format(count=refused), error=True)

    def apply_note_to_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            _message(self.status, _("Select the rows that should get this note first."), error=True)
            return
        self.model.set_note(rows, self.bulk_note.text().strip())

    def _summarise(self) -> None:
        total, missing = len(self.model.rows), self.model.missing_notes()
        _message(self.status, n_("{name} holds {count} open item; {noted} have a note.", "{name} holds {count} open items; {noted} have a note.", total).format(
            name=self._wizard.from_name or "", count=total, noted=total - missing))

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.loaded


class ReviewPage(QWizardPage):
    """Page 2: how many items go to whom, and which still have no note (highlighted)."""

    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Check before handing over"))
        self.setSubTitle(_("Notes are optional, but a line on what is next saves your successor a phone call."))
        self.setButtonText(QWizard.WizardButton.NextButton, _("Hand over now"))
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.only_missing = QCheckBox(_("Show only items without a note"))
        self.proxy = WorkFilter(wizard.model)
        self.only_missing.toggled.connect(self.proxy.show_missing_only)
        self.table = _table(self.proxy, wizard.model)
        wizard.model.dataChanged.connect(lambda *_a: self.refresh())
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.missing)
        layout.addWidget(self.only_missing)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        self.refresh()

    def refresh(self) -> None:
        model = self._wizard.model
        self.counts.setText(_("Items per person:") + " " + "; ".join(
            _("{name}: {count}").format(name=name, count=count) for name, count in model.counts()))
        missing = model.missing_notes()
        if missing:
            _message(self.missing, n_("{count} item has no note yet (highlighted).", "{count} items have no note yet (highlighted).", missing).format(count=missing),
                     error=True)
        else:
            _message(self.missing, _("Every item has a note."))


class PerformPage(QWizardPage):
    """Page 3: hand over and write the signed record off the GUI thread, then save the PDF."""

    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.running = False
        self.setTitle(_("Handing over"))
        self.setSubTitle(_("The work moves in one step: all of it or, if anything fails, none of it."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("Continue to the Lurah"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.fingerprint = QLabel()
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature = QLabel()
        self.signature.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.retry = QPushButton(_("Try again"))
        self.retry.clicked.connect(self.start)
        self.retry.hide()
        self.save_button = QPushButton(_("Save the report as PDF ..."))
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.save_button.setEnabled(False)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (self.status, self.progress, self.retry, self.fingerprint, self.signature):
            layout.addWidget(widget)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        if self._wizard.record_id is None and not self.running:
            self.start()

    def start(self) -> None:
        wizard = self._wizard
        from_operator, assignments, notes = wizard.from_operator, wizard.model.assignments(), wizard.model.notes()
        successor = wizard.work_page.successor.currentData() or None
        self.running = True
        self.retry.hide()
        self.progress.show()
        _message(self.status, n_("Handing over {count} item ...", "Handing over {count} items ...", len(assignments)).format(count=len(assignments)))

        def work(ctx: OfficeContext):
            _report, record_id = handover_report.hand_over_and_record(
                ctx, from_operator=from_operator, assignments=assignments, notes=notes, successor=successor)
            view = handover_report.record_view(ctx, record_id)
            return record_id, view, handover_pdf(view)

        wizard.state.run(work, self._done, on_error=self._failed, changes=PROPOSALS)

    def _done(self, result) -> None:
        self.running = False
        self.progress.hide()
        wizard = self._wizard
        wizard.record_id, wizard.view, wizard.pdf = result
        wizard.state.changed.emit(COMPLAINTS)
        view = wizard.view
        _message(self.status, n_("{count} item was handed over and the report was recorded.", "{count} items were handed over and the report was recorded.", len(view.items)).format(
            count=len(view.items)))
        self.fingerprint.setText(_("Report fingerprint: {hash}").format(hash=view.short_hash))
        self.signature.setText(_("Signed with your operator key.") if view.operator_signed else
                               _("Not signed by key: {name} has no certified operator key. The printed report "
                                 "says so; sign it by hand.").format(name=view.from_name))
        self.save_button.setEnabled(True)
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.progress.hide()
        # Nothing moved; the targets and notes are still in the list (Back) and can be sent again.
        _message(self.status, error_text(error) + " " + _("Your notes are kept: go back to change them, or try again."),
                 error=True)
        self.retry.show()
        self.completeChanged.emit()

    def save_pdf(self, path: str | Path | None = None) -> Path | None:
        return self._wizard.save_pdf(self.saved, path)

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self._wizard.record_id is not None


class LurahPage(QWizardPage):
    """Page 4: the Lurah countersigns with her passphrase and may revoke the leaver now, or later."""

    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.busy = False
        self.setTitle(_("The Lurah's countersignature"))
        self.setSubTitle(_("If the Lurah is not here, choose Finish: the report can be countersigned later."))
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.fields = LurahApprovalFields(lurah_service.needs_code(wizard.state.ctx))
        self.passphrase, self.code = self.fields.passphrase, self.fields.code
        self.code.returnPressed.connect(self.countersign)
        self.countersign_button = QPushButton(_("Countersign"))
        self.countersign_button.clicked.connect(self.countersign)
        self.passphrase.returnPressed.connect(self.countersign)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.save_button = QPushButton(_("Save the countersigned PDF ..."))
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.save_button.setEnabled(False)
        self.saved = QLabel()
        self.saved.setWordWrap(True)

        self.revoke_box = QGroupBox(_("Revoke access (optional)"))
        self.revoke_box.setEnabled(False)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("e.g. contract ended"))
        self.confirm = QCheckBox()
        # Revoking is a step of its own: the Lurah approves it again (and with the next code).
        self.revoke_fields = LurahApprovalFields(self.fields.needs_code)
        self.revoke_button = QPushButton(_("Revoke access now"))
        self.revoke_button.clicked.connect(self.revoke)
        self.revoke_status = QLabel()
        self.revoke_status.setWordWrap(True)
        for signal in (self.reason.textChanged, self.confirm.toggled, self.revoke_fields.passphrase.textChanged,
                       self.revoke_fields.code.textChanged):
            signal.connect(lambda *_a: self._revoke_ready())
        box = QFormLayout(self.revoke_box)
        box.addRow(_("Reason"), self.reason)
        box.addRow("", self.confirm)
        box.addRow("", self.revoke_fields)
        box.addRow("", self.revoke_button)
        box.addRow("", self.revoke_status)
        self._revoke_ready()

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.fields)
        layout.addWidget(self.countersign_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved)
        layout.addWidget(self.revoke_box)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        wizard = self._wizard
        lurah = wizard.lurah[1] if wizard.lurah else _("the Lurah")
        self.intro.setText(_("{lurah} checks the report (fingerprint {hash}) and types the Lurah's passphrase "
                             "to countersign it.").format(lurah=lurah, hash=wizard.view.short_hash if wizard.view else ""))
        self.confirm.setText(_("I confirm that {name} may no longer open this office.").format(name=wizard.from_name))
        self.revoke_box.setTitle(_("Revoke {name}'s access (optional)").format(name=wizard.from_name))

    def countersign(self) -> None:
        wizard = self._wizard
        if self.busy or wizard.record_id is None or wizard.view is None or wizard.view.lurah_signed:
            return
        record_id = wizard.record_id
        if not self.fields.complete():
            _message(self.status, _("Type the Lurah's passphrase (and the code from the app) first."), error=True)
            return
        approval = self.fields.approval()
        self._busy(True)
        _message(self.status, _("Checking the passphrase ..."))

        def work(ctx: OfficeContext):
            # Unlocking is Argon2id on purpose (slow): never on the GUI thread. The Lurah's approval is
            # checked and used inside the services; no second session is kept by this page.
            try:
                confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.ENDORSE,
                                                     subject=record_id, totp_code=approval.totp_code)
                view = handover_report.countersign(ctx, record_id, confirmation)
            except handover_report.AlreadyCountersigned:
                view = handover_report.record_view(ctx, record_id)
            return view, handover_pdf(view)

        # The other screens (Petugas, Beranda) show what waits for the Lurah: they refresh after it.
        wizard.state.run(work, self._countersigned, on_error=self._countersign_failed, changes=PEOPLE)

    def _countersigned(self, result) -> None:
        wizard = self._wizard
        wizard.view, wizard.pdf = result
        self._busy(False)
        self.fields.clear()
        self.fields.setEnabled(False)
        self.countersign_button.setEnabled(False)
        _message(self.status, _("\u2713 Countersigned by the Lurah on {when}.").format(
            when=format_wib(wizard.view.lurah_signed_at)))
        self.save_button.setEnabled(True)
        self.revoke_box.setEnabled(True)
        self._revoke_ready()

    def _countersign_failed(self, error: BaseException) -> None:
        self._busy(False)
        _message(self.status, error_text(error), error=True)
        # Keep what was typed, selected, so a typo is fixed by typing again; a code is used up either way.
        self.code.clear()
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def save_pdf(self, path: str | Path | None = None) -> Path | None:
        return self._wizard.save_pdf(self.saved, path)

    def _revoke_ready(self) -> None:
        self.revoke_button.setEnabled(bool(self.reason.text().strip()) and self.confirm.isChecked() and not self.busy
                                      and self.revoke_fields.complete() and not self._wizard.revoked)

    def revoke(self) -> None:
        wizard = self._wizard
        reason = self.reason.text().strip()
        if not (reason and self.confirm.isChecked() and self.revoke_fields.complete()) or wizard.revoked \
                or wizard.view is None or not wizard.view.lurah_signed:
            return
        leaver, state, approval = wizard.from_operator, wizard.state, self.revoke_fields.approval()
        self.revoke_fields.clear()
        self._busy(True)
        _message(self.revoke_status, _("Revoking and changing the office key ..."))

        def step(ctx: OfficeContext):
            confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.REVOKE,
                                                 subject=leaver, totp_code=approval.totp_code)
            return operators.revoke_operator(ctx, leaver, reason=reason, confirmation=confirmation)

        ctx = state.ctx
        if ctx is None or ctx.operator_id != leaver:
            state.run(step, self._revoked, on_error=self._revoke_failed, changes=OFFICE)
            return
        # The new key can only be made with every connection closed: the leaver's session ends here,
        # and the revocation runs on its (closed) database handle, which the re-key then replaces.
        wizard.signed_out_leaver = True
        state.sign_out()
        state.run_plain(lambda: step(ctx), self._revoked, self._revoke_failed)

    def _revoked(self, result) -> None:
        wizard = self._wizard
        wizard.revoked = result
        self._busy(False)
        text = _("Access revoked. {name} can no longer open this office; the signed revocation goes to Dinsos "
                 "with the next batch.").format(name=wizard.from_name)
        if wizard.signed_out_leaver:
            text += " " + _("This computer is now signed out: the next person signs in with their own passphrase.")
        _message(self.revoke_status, text)
        self.reason.setEnabled(False)
        self.confirm.setEnabled(False)

    def _revoke_failed(self, error: BaseException) -> None:
        self._busy(False)
        _message(self.revoke_status, error_text(error), error=True)

    def _busy(self, on: bool) -> None:
        self.busy = on
        self.countersign_button.setEnabled(not on and not (self._wizard.view and self._wizard.view.lurah_signed))
        self._revoke_ready()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return not self.busy


class HandoverWizard(QWizard):
    """Hand over ``from_operator``'s open work (default: the person signed in); the Lurah may do it for them."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, from_operator: str | None = None,
                 open_files: bool = True) -> None:
        super().__init__(parent)
        if state.ctx is None:
            raise RuntimeError("no office is open")
        self.state = state
        self.from_operator = from_operator or state.ctx.operator_id
        self.from_name = state.ctx.operator_name if self.from_operator == state.ctx.operator_id else ""
        self.open_files = open_files  # tests and the benchmark do not launch a PDF viewer
        self.prompts = Prompts(self)
        self.lurah: tuple[str, str] | None = None
        self.record_id: str | None = None
        self.view: HandoverRecordView | None = None
        self.pdf: bytes | None = None
        self.revoked = None
        self.signed_out_leaver = False
        self.model = HandoverModel(self)
        self.setWindowTitle(_("Handover of open work"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(900, 620)
        for button, text in (
            (QWizard.WizardButton.BackButton, _("< Back")),
            (QWizard.WizardButton.NextButton, _("Next >")),
            (QWizard.WizardButton.FinishButton, _("Finish")),
            (QWizard.WizardButton.CancelButton, _("Cancel")),
        ):
            self.setButtonText(button, text)
        self.work_page = WorkPage(self)
        self.review_page = ReviewPage(self)
        self.perform_page = PerformPage(self)
        self.lurah_page = LurahPage(self)
        for page in (self.work_page, self.review_page, self.perform_page, self.lurah_page):
            self.addPage(page)

    def save_pdf(self, label: QLabel, path: str | Path | None = None) -> Path | None:
        """Write the current PDF (asking where, with a default name); open it in the viewer if wanted."""
        if self.pdf is None or self.view is None:
            return None
        if path is None:
            suggested = str(Path.home() / default_file_name(self.view))
            path = self.prompts.save_file(_("Save the handover report"), suggested, _("PDF documents (*.pdf)"))
            if path is None:
                return None
        path = Path(path)
        try:
            write_private(path, self.pdf)
        except OSError:
            _message(label, _("The file could not be written. Choose another folder, or close the file if it is open."),
                     error=True)
            return None
        _message(label, _("Saved to {path}.").format(path=str(path)))
        if self.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path

    def reject(self) -> None:
        if self.record_id is not None and self.currentPage() is not self.lurah_page:
            return  # handed over: leave through the Lurah's page, so the report is never lost from view
        if self.record_id is None and not self._may_discard_notes():
            return
        super().reject()

    def written_notes(self) -> int:
        """How many notes Cancel would throw away: the list's, one still in its cell, the bulk line."""
        table = self.work_page.table
        if table.state() == QAbstractItemView.State.EditingState:
            editor = table.indexWidget(table.currentIndex())
            if editor is not None:
                table.commitData(editor)
        return len(self.model.notes()) + bool(self.work_page.bulk_note.text().strip())

    def _may_discard_notes(self) -> bool:
        """Cancel (Batal, Esc, the window's close box) asks before written notes are lost."""
        count = self.written_notes()
        if not count:
            return True
        return self.prompts.confirm(
            _("Discard the notes?"),
            n_("You wrote {count} note that is not handed over yet. Close the handover and throw it away?",
               "You wrote {count} notes that are not handed over yet. Close the handover and throw "
               "them away?", count).format(count=count),
            yes=_("Discard the notes"),
        )
