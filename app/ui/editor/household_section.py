"""The household's own fields, as on the Kartu Keluarga: No. KK, address, RT and RW."""

from __future__ import annotations

from app.domain.validation import Issue
from app.i18n import _
from app.ui.editor.messages import FieldMessage
from app.ui.qt import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, Signal

FIELDS = ("kk_number", "address", "rt", "rw")


class HouseholdSection(QGroupBox):
    edited = Signal(str)  # the field the operator changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Household (Kartu Keluarga)"), parent)
        self.inputs: dict[str, QLineEdit] = {}
        self.messages: dict[str, FieldMessage] = {}
        placeholders = {
            "kk_number": _("16 digits, as on the Kartu Keluarga"),
            "address": _("Street and house number"),
            "rt": "003",
            "rw": "002",
        }
        for name in FIELDS:
            line = QLineEdit()
            line.setPlaceholderText(placeholders[name])
            line.textEdited.connect(lambda _text, field=name: self.edited.emit(field))
            self.inputs[name] = line
            self.messages[name] = FieldMessage()
        # Room for a number pasted with spaces and dashes between its groups ("357503 – 1203…"):
        # a cap of 20 cut the last digits off before normalise_kk ever saw them.
        self.inputs["kk_number"].setMaxLength(48)
        for name in ("rt", "rw"):
            self.inputs[name].setMaxLength(3)
            self.inputs[name].setMaximumWidth(70)

        form = QFormLayout(self)
        form.setVerticalSpacing(6)
        form.addRow(_("No. KK"), self._with_message("kk_number"))
        form.addRow(_("Address"), self._with_message("address"))
        rt_rw = QHBoxLayout()
        rt_rw.addWidget(self._with_message("rt"))
        rt_rw.addWidget(QLabel(_("RW")))
        rt_rw.addWidget(self._with_message("rw"))
        rt_rw.addStretch(1)
        form.addRow(_("RT"), rt_rw)

    def _with_message(self, name: str) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.inputs[name])
        column.addWidget(self.messages[name])
        return box

    def values(self) -> dict:
        return {name: self.inputs[name].text().strip() for name in FIELDS}

    def set_values(self, household: dict) -> None:
        for name in FIELDS:
            self.inputs[name].setText(str(household.get(name) or ""))

    def show_issues(self, by_field: dict[str, list[Issue]]) -> set[str]:
        """Show the issues of this section's fields; return the fields it took."""
        for name in FIELDS:
            self.messages[name].show_issues(by_field.get(name, []))
        return set(FIELDS)

    def set_read_only(self, read_only: bool) -> None:
        for line in self.inputs.values():
            line.setReadOnly(read_only)
