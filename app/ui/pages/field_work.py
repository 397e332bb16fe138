"""The field person's page: assignments opened from file, the socio-economic form per household, the signed results file."""

from __future__ import annotations

from pathlib import Path

from app.domain.socioeconomic import CATALOGUE
from app.i18n import N_, _
from app.services import field_kit, field_work
from app.fsutil import write_atomic
from app.ui.editor.prompts import Prompts
from app.ui.errors import error_text
from app.ui.pages.field import FIELD_FILTER
from app.ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import AppState

PHOTO_FILTER = "JPEG, PNG (*.jpg *.jpeg *.png)"
PHOTO_LABELS = {"front": N_("Front of the house"), "inside": N_("Inside the house"), "kk": N_("Family card (KK)")}


class FieldWorkPage(QWidget):
    title = N_("Ground checks")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.assignments: list[field_work.Assignment] = []
        self.current: tuple[field_work.Assignment, field_work.AssignedHousehold] | None = None
        self.draft: field_work.Draft | None = None

        heading = QLabel(_("My ground checks"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        self.open_button = QPushButton(_("Open an assignment file…"))
        self.open_button.clicked.connect(self.open_assignment)
        self.households = QListWidget()
        self.households.currentItemChanged.connect(lambda item, _old: self._select(item))
        self.remarks = QLabel()
        self.remarks.setWordWrap(True)
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.combos: dict[str, QComboBox] = {}
        self.photo_buttons: dict[str, QPushButton] = {}
        self.latitude, self.longitude = QLineEdit(), QLineEdit()
        self.latitude.setPlaceholderText("-7.6453")
        self.longitude.setPlaceholderText("112.9075")
        self.notes = QPlainTextEdit()
        self.save_button = QPushButton(_("Save"))
        self.save_button.clicked.connect(self.save)
        self.results_button = QPushButton(_("Write the results file…"))
        self.results_button.clicked.connect(self.write_results)
        self.kit_button = QPushButton(_("Save a kit for my laptop…"))
        self.kit_button.clicked.connect(self.save_kit)

        left = QVBoxLayout()
        left.addWidget(self.open_button)
        left.addWidget(self.households, 1)
        left.addWidget(self.results_button)
        left.addWidget(self.kit_button)
        right = QVBoxLayout()
        right.addWidget(self.remarks)
        right.addWidget(self.form_box, 1)
        right.addWidget(self.save_button)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(body, 1)
        self._enable_form(False)
        self.refresh()

    def refresh(self) -> None:
        if self.state.ctx is None:
            return
        self.state.run(field_work.my_assignments, self._show, on_error=lambda e: self.prompts.error(error_text(e)))

    def _show(self, assignments: list[field_work.Assignment]) -> None:
        self.assignments = assignments
        self.households.clear()
        for a_index, assignment in enumerate(assignments):
            for h_index, household in enumerate(assignment.households):
                text = _("{kk} · {name} · {address} (due {due})").format(
                    kk=household.kk_number, name=household.head_name, address=household.address,
                    due=assignment.due_date.strftime("%d-%m-%Y"))
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (a_index, h_index))
                self.households.addItem(item)

    def _enable_form(self, on: bool) -> None:
        for widget in (self.form_box, self.save_button):
            widget.setEnabled(on)

    def _select(self, item) -> None:
        if item is None:
            self.current = None
            self._enable_form(False)
            return
        a_index, h_index = item.data(Qt.ItemDataRole.UserRole)
        assignment = self.assignments[a_index]
        household = assignment.households[h_index]
        self.current = (assignment, household)
        self.state.run(lambda ctx: field_work.draft_for(ctx, assignment, household.kk_number), self._fill)

    def _fill(self, draft: field_work.Draft) -> None:
        household = self.current[1]
        self.draft = draft
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos, self.photo_buttons = {}, {}
        for code in household.variables:
            variable = CATALOGUE[code]
            combo = QComboBox()
            combo.addItem(_("(not answered)"), None)
            for choice in variable.choices:
                combo.addItem(_(choice.label), choice.code)
            combo.setCurrentIndex(max(0, combo.findData(draft.values.get(code))))
            self.combos[code] = combo
            self.form.addRow(_(variable.label), combo)
        for kind in field_work.PHOTO_KINDS:
            button = QPushButton(self._photo_text(kind))
            button.clicked.connect(lambda _c=False, k=kind: self.choose_photo(k))
            self.photo_buttons[kind] = button
            self.form.addRow(_(PHOTO_LABELS[kind]), button)
        self.latitude, self.longitude = QLineEdit(draft.latitude or ""), QLineEdit(draft.longitude or "")
        self.notes = QPlainTextEdit(draft.notes)
        self.form.addRow(_("Latitude"), self.latitude)
        self.form.addRow(_("Longitude"), self.longitude)
        self.form.addRow(_("Notes"), self.notes)
        said = [f"{_('Question') if r.kind == 'question' else _('Rejected')}: {r.text}" for r in household.remarks]
        self.remarks.setText("\n".join(said))
        self._enable_form(True)

    def _photo_text(self, kind: str) -> str:
        return _("Photo chosen (change…)") if self.draft and kind in self.draft.photos else _("Choose a photo…")

    def choose_photo(self, kind: str) -> None:
        path = self.prompts.open_file(_(PHOTO_LABELS[kind]), PHOTO_FILTER)
        if path is None or self.draft is None:
            return
        with open(path, "rb") as handle:
            data = handle.read(field_work.MAX_PHOTO_BYTES + 1)
        self.draft.photos[kind] = data
        self.photo_buttons[kind].setText(self._photo_text(kind))

    def save(self) -> None:
        if self.current is None or self.draft is None:
            return
        assignment = self.current[0]
        draft = self.draft
        draft.values = {code: combo.currentData() for code, combo in self.combos.items()
                        if combo.currentData() is not None}
        draft.latitude = self.latitude.text().strip() or None
        draft.longitude = self.longitude.text().strip() or None
        draft.notes = self.notes.toPlainText().strip()
        self.state.run(lambda ctx: field_work.save_draft(ctx, assignment, draft),
                       lambda _r: setattr(draft, "saved", True),
                       on_error=lambda e: self.prompts.error(error_text(e)))

    def open_assignment(self) -> None:
        path = self.prompts.open_file(_("Open an assignment file"), FIELD_FILTER)
        if path is None:
            return
        with open(path, "rb") as handle:
            data = handle.read(field_work.MAX_FILE_BYTES + 1)
        self.state.run(lambda ctx: field_work.keep_assignment(ctx, data), lambda _a: self.refresh(),
                       on_error=lambda e: self.prompts.error(error_text(e)))

    def write_results(self) -> None:
        if self.current is None:
            self.prompts.error(_("Choose a household of the assignment first."))
            return
        assignment = self.current[0]
        path = self.prompts.save_file(_("Save the results file"), f"hasil-{assignment.due_date:%Y%m%d}.usulkan-lapangan",
                                      FIELD_FILTER)
        if path is None:
            return

        def done(data: bytes) -> None:
            write_atomic(Path(path), data)
            self.prompts.info(_("Results written"), _("The results file is signed with your own key. Bring it to "
                                                      "the office."))

        self.state.run(lambda ctx: field_work.results_file(ctx, assignment), done,
                       on_error=lambda e: self.prompts.error(error_text(e)))


    def save_kit(self) -> None:
        """The field person's own keys for their laptop, sealed under the passphrase typed now."""
        passphrase = self.prompts.secret(_("Save a kit for my laptop"), _(
            "Your own passphrase (you sign in on the laptop with it):"))
        if passphrase is None:
            return
        path = self.prompts.save_file(_("Save a kit for my laptop"), "lapangan.kit", "Usulkan (*.kit)")
        if path is None:
            return

        def done(data: bytes) -> None:
            write_atomic(Path(path), data)
            self.prompts.info(_("Save a kit for my laptop"), _(
                "Kit saved. On the laptop run: usulkan field setup-laptop {name}. Delete the kit from the stick "
                "afterwards.").format(name=Path(path).name))

        self.state.run(lambda ctx: field_kit.export_kit(ctx, passphrase), done,
                       on_error=lambda e: self.prompts.error(error_text(e)))


class GroundChecksPage(QWidget):
    """The office's ground-check page for operators, the field person's own page for field staff."""

    title = N_("Ground checks")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        from app.ui.pages.field import FieldChecksPage

        role = state.ctx.operator_role if state.ctx is not None else None
        self.inner = FieldWorkPage(state) if role == "field_staff" else FieldChecksPage(state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.inner)
