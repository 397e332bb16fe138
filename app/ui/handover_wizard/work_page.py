"""Page 1: the leaver's open work, a target and a note per row, and the bulk tools."""

from __future__ import annotations

from collections.abc import Iterable

from app.i18n import _, n_
from app.ui.errors import error_text
from app.ui.handover_wizard import steps
from app.ui.handover_wizard.model import POOL, HandoverModel
from app.ui.handover_wizard.session import HandoverSession
from app.ui.handover_wizard.table import WorkFilter, show_message, work_table
from app.ui.qt import QComboBox, QFormLayout, QHBoxLayout, QItemSelectionModel, QLabel, QLineEdit, QPushButton, \
    QVBoxLayout, QWizardPage
from app.ui.state import AppState


class WorkPage(QWizardPage):
    """Choose who takes over each item and leave a note; select several rows for the same person or note."""

    def __init__(self, session: HandoverSession, model: HandoverModel, state: AppState) -> None:
        super().__init__()
        self.session, self.model, self._state = session, model, state
        self.loaded = False
        self.setTitle(_("Open work to hand over"))
        self.setSubTitle(_("Choose who takes over each item and leave a note where it helps. "
                           "Select several rows to give them the same person or the same note."))
        self.proxy = WorkFilter(self.model)
        self.successor = QComboBox()
        self.successor.currentIndexChanged.connect(self._successor_changed)
        self._last_successor = POOL
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter the list"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = work_table(self.proxy, self.model)

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
        from_operator = self.session.from_operator
        show_message(self.status, _("Reading the open work ..."))
        self._state.run(lambda ctx: steps.read_work(ctx, from_operator), self._loaded,
                        on_error=lambda e: show_message(self.status, error_text(e), error=True))

    def _loaded(self, work: steps.OpenWork) -> None:
        people, lurah = work.people, work.lurah
        self.session.lurah, self.session.from_name = lurah, work.from_name
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
        self.session.successor = self._last_successor or None
        self.bulk_target.setCurrentIndex(self.successor.currentIndex())
        self.model.load(work.items, people, self._last_successor)
        self.table.resizeColumnToContents(HandoverModel.TYPE)
        self.loaded = True
        self.completeChanged.emit()

    def _successor_changed(self, _index: int) -> None:
        new = self.successor.currentData() or POOL
        self.model.follow_successor(self._last_successor, new)
        self._last_successor = new
        self.session.successor = new or None
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
            show_message(self.status, n_("{count} unfinished form stays with a person: a form cannot go to the office pool.",
                                         "{count} unfinished forms stay with a person: a form cannot go to the "
                                         "office pool.", refused).format(count=refused), error=True)

    def apply_note_to_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            show_message(self.status, _("Select the rows that should get this note first."), error=True)
            return
        self.model.set_note(rows, self.bulk_note.text().strip())

    def _summarise(self) -> None:
        total, missing = len(self.model.rows), self.model.missing_notes()
        show_message(self.status, n_("{name} holds {count} open item; {noted} have a note.", "{name} holds {count} open items; {noted} have a note.", total).format(
            name=self.session.from_name or "", count=total, noted=total - missing))

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.loaded
