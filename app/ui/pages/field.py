"""Ground checks by field staff: assign households to a field person, import their results, decide conflicts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.domain.field_merge import REASON_LABELS
from app.domain.socioeconomic import CATALOGUE
from app.i18n import N_, _, n_
from app.services import field
from app.fsutil import write_atomic
from app.ui.editor.prompts import Prompts
from app.ui.errors import error_text
from app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDate,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPixmap,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import AppState

FIELD_FILTER = "Usulkan (*.usulkan-lapangan *.json)"
CONFLICT_HEADERS = (N_("No. KK"), N_("Head of family"), N_("Item"), N_("Office value"), N_("Field value"),
                    N_("Why asked"), N_("Decision"))


def variable_label(code: str) -> str:
    variable = CATALOGUE.get(code)
    return _(variable.label) if variable else code


def value_label(code: str, value: str | None) -> str:
    if value is None:
        return _("(empty)")
    variable = CATALOGUE.get(code)
    return variable.value_label(value) if variable else value


class FieldChecksPage(QWidget):
    title = N_("Ground checks")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.households: list[field.HouseholdView] = []
        self.pending: list[field.ConflictView] = []

        heading = QLabel(_("Ground checks by field staff"))
        heading.setObjectName("pageHeading")  # as on every page (style.py); a font set here lost to the style sheet

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("No. KK"), _("Head of family"), _("Address")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.person = QComboBox()
        self.due = QDateEdit(QDate.currentDate().addDays(7))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("dd-MM-yyyy")
        self.assign_button = QPushButton(_("Write the assignment file…"))
        self.assign_button.clicked.connect(self.write_assignment)
        self.take_in_button = QPushButton(_("Take in proposals waiting for a ground check"))
        self.take_in_button.clicked.connect(self.take_in)
        self.import_button = QPushButton(_("Import a results file…"))
        self.import_button.clicked.connect(self.import_results)

        row = QHBoxLayout()
        row.addWidget(QLabel(_("Field person")))
        row.addWidget(self.person, 1)
        row.addWidget(QLabel(_("Due date")))
        row.addWidget(self.due)
        row.addWidget(self.assign_button)

        self.conflict_table = QTableWidget(0, len(CONFLICT_HEADERS))
        self.conflict_table.setHorizontalHeaderLabels([_(h) for h in CONFLICT_HEADERS])
        self.conflict_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conflict_table.horizontalHeader().setStretchLastSection(True)
        self.conflict_note = QLabel()
        self.conflict_note.setWordWrap(True)
        self.conflict_table.currentCellChanged.connect(lambda row, _c, _r, _c2: self._details(row))
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.photos = QHBoxLayout()
        self.photo_labels: list[QLabel] = []

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        hint = QLabel(_("Tick the households to check, choose the field person and the due date."))
        hint.setObjectName("hint")
        layout.addWidget(hint)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.take_in_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(row)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(_("Results waiting for a decision")), 1)
        bottom.addWidget(self.import_button)
        layout.addLayout(bottom)
        layout.addWidget(self.conflict_note)
        layout.addWidget(self.conflict_table, 2)
        layout.addWidget(self.details)
        layout.addLayout(self.photos)
        state.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, what: str) -> None:
        if what in ("field", "people"):
            self.refresh()

    # ------------------------------------------------------------ lists

    def refresh(self) -> None:
        if self.state.ctx is None:
            return
        self.state.run(lambda ctx: (field.list_households(ctx), field.field_people(ctx), field.conflicts(ctx)),
                       self._show)

    def _show(self, found) -> None:
        self.households, people, self.pending = found
        self.table.setRowCount(len(self.households))
        for r, household in enumerate(self.households):
            first = QTableWidgetItem(household.kk_number)
            first.setFlags(first.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            first.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(r, 0, first)
            self.table.setItem(r, 1, QTableWidgetItem(household.head_name))
            self.table.setItem(r, 2, QTableWidgetItem(household.address))
        self.person.clear()
        for person in people:
            label = person.name if person.has_key else _("{name} (has not signed in yet)").format(name=person.name)
            self.person.addItem(label, person.id)
        self._show_conflicts()

    def _show_conflicts(self) -> None:
        table = self.conflict_table
        table.setRowCount(len(self.pending))
        self.decision_buttons: list[tuple[QPushButton, ...]] = []
        for r, c in enumerate(self.pending):
            cells = (c.kk_number, c.head_name, variable_label(c.variable), value_label(c.variable, c.office_value),
                     " / ".join(value_label(c.variable, v) for v in c.field_values), _(REASON_LABELS[c.reason]))
            for col, text in enumerate(cells):
                table.setItem(r, col, QTableWidgetItem(text))
            box = QWidget()
            buttons = QHBoxLayout(box)
            buttons.setContentsMargins(0, 0, 0, 0)
            office_button = QPushButton(_("Use the office value"))
            office_button.clicked.connect(lambda _c=False, conflict=c: self.decide(conflict, conflict.office_value))
            made = [office_button]
            for value in c.field_values:
                text = _("Use the field value") if len(c.field_values) == 1 else \
                    _("Use the field value: {value}").format(value=value_label(c.variable, value))
                button = QPushButton(text)
                button.clicked.connect(lambda _c=False, conflict=c, v=value: self.decide(conflict, v))
                made.append(button)
            ask = QPushButton(_("Question or rejection…"))
            ask.clicked.connect(lambda _c=False, conflict=c: self.remark(conflict))
            made.append(ask)
            for button in made:
                buttons.addWidget(button)
            table.setCellWidget(r, len(CONFLICT_HEADERS) - 1, box)
            self.decision_buttons.append(tuple(made))
        table.resizeColumnsToContents()
        self.conflict_note.setText(_("Nothing waits for a decision.") if not self.pending else
                                   _("Compare the two values side by side and choose one for each item."))

    def _details(self, row: int) -> None:
        """What the field found at the household of the chosen row: notes, coordinates, photos."""
        for label in self.photo_labels:
            label.deleteLater()
        self.photo_labels = []
        if not 0 <= row < len(self.pending):
            self.details.clear()
            return
        kk = self.pending[row].kk_number
        self.state.run(lambda ctx: field.result_details(ctx, kk), self._show_details)

    def _show_details(self, found: list) -> None:
        lines = []
        for detail in found:
            where = f"{detail.latitude}, {detail.longitude}" if detail.latitude else _("no coordinates")
            lines.append(_("{name}, {when}: {where}. {notes}").format(
                name=detail.person_name, when=detail.checked_at.strftime("%d-%m-%Y"), where=where,
                notes=detail.notes or ""))
        self.details.setText("\n".join(lines))
        for kind, data in (found[0].photos if found else ()):
            pixmap = QPixmap()
            label = QLabel()
            if pixmap.loadFromData(data):
                label.setPixmap(pixmap.scaled(160, 120, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
            else:
                label.setText(_("Photo cannot be shown"))
            label.setToolTip(kind)
            self.photos.addWidget(label)
            self.photo_labels.append(label)

    def checked_households(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())
                if self.table.item(r, 0).checkState() == Qt.CheckState.Checked]

    # ------------------------------------------------------------ actions

    def write_assignment(self) -> None:
        chosen, person = self.checked_households(), self.person.currentData()
        if not chosen or person is None:
            self.prompts.error(_("Tick at least one household and choose a field person."))
            return
        path = self.prompts.save_file(_("Save the assignment file"), f"penugasan-{date.today():%Y%m%d}.usulkan-lapangan",
                                      FIELD_FILTER)
        if path is None:
            return
        due = self.due.date().toPython()

        def done(data: bytes) -> None:
            write_atomic(Path(path), data)
            self.prompts.info(_("Assignment written"), n_(
                "The assignment file for {count} household is saved. Only the chosen field person can open it "
                "on their laptop.",
                "The assignment file for {count} households is saved. Only the chosen field person can open it "
                "on their laptop.", len(chosen)).format(count=len(chosen)))

        self.state.run(lambda ctx: field.write_assignment(ctx, person, chosen, due), done, changes="field")

    def import_results(self) -> None:
        path = self.prompts.open_file(_("Import a results file"), FIELD_FILTER)
        if path is None:
            return
        with open(path, "rb") as handle:
            data = handle.read(field.MAX_FILE_BYTES + 1)  # a larger file is refused as too large, unread

        def done(report: field.ImportReport) -> None:
            if report.already_imported:
                text = _("This results file was imported before; nothing changed.")
            else:
                text = n_("Results of {name} for {count} household imported: {applied} applied, "
                          "{conflicts} waiting for your decision.",
                          "Results of {name} for {count} households imported: {applied} applied, "
                          "{conflicts} waiting for your decision.", report.households).format(
                    name=report.person_name, count=report.households, applied=report.applied,
                    conflicts=report.conflicts)
            self.prompts.info(_("Results imported"), text)

        self.state.run(lambda ctx: field.import_results(ctx, data), done, changes="field",
                       on_error=lambda exc: self.prompts.error(error_text(exc)))

    def remark(self, conflict: field.ConflictView) -> None:
        """A question or a rejection for the field person; it travels with their next assignment."""
        kind = self.prompts.choose(_("Question or rejection"), _("What is it?"),
                                   [("question", _("Question")), ("rejection", _("Rejected"))])
        if kind is None:
            return
        text = self.prompts.text(_("Question or rejection"), _("For the field person (No. KK {kk}):").format(
            kk=conflict.kk_number))
        if text is None:
            return
        self.state.run(lambda ctx: field.remark_on_household(ctx, conflict.kk_number, kind, text),
                       lambda _p: self.prompts.info(_("Question or rejection"), _(
                           "Kept. It goes to the field person with their next assignment file.")))

    def take_in(self) -> None:
        def done(made: list[str]) -> None:
            self.prompts.info(_("Ground checks"), n_(
                "{count} household taken in from the proposals.", "{count} households taken in from the proposals.",
                len(made)).format(count=len(made)) if made else _("No new proposal waits for a ground check."))

        self.state.run(field.take_in_ground_checks, done, changes="field")

    def decide(self, conflict: field.ConflictView, value: str | None) -> None:
        self.state.run(lambda ctx: field.decide(ctx, conflict, value), lambda _view: None, changes="field")
