"""What is proposed: the kind, and its own data (programmes and desil, changes, or the objection)."""

from __future__ import annotations

from app.domain.proposal import OBJECTION_REASON_LABELS, Programme
from app.domain.validation import Issue
from app.domain.workflow import KIND_LABELS, ProposalKind
from app.i18n import _
from app.ui.editor.changes_table import ChangesTable
from app.ui.editor.messages import FieldMessage
from app.ui.qt import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)

OWN_FIELDS = ("kind", "programmes", "desil", "objection_subject_nik", "objection_reason", "objection_note")


def _stack(*widgets) -> QWidget:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    for widget in widgets:
        column.addWidget(widget) if isinstance(widget, QWidget) else column.addLayout(widget)
    return box


class KindSection(QGroupBox):
    edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("What is proposed"), parent)
        self.messages = {name: FieldMessage() for name in OWN_FIELDS}

        self.kind = QComboBox()
        for kind in ProposalKind:
            self.kind.addItem(_(KIND_LABELS[kind]), kind.value)
        self.kind.currentIndexChanged.connect(self._kind_changed)

        self.programmes = {p.value: QCheckBox(p.display_name) for p in Programme}
        programme_row = QHBoxLayout()
        for box in self.programmes.values():
            box.toggled.connect(lambda _on: self.edited.emit("programmes"))
            programme_row.addWidget(box)
        programme_row.addStretch(1)
        self.desil = QComboBox()
        self.desil.addItem(_("Not in the DTSEN / unknown"), None)
        for value in range(1, 11):
            self.desil.addItem(str(value), value)
        self.desil.currentIndexChanged.connect(lambda _i: self.edited.emit("desil"))

        self.changes = ChangesTable()
        self.changes.edited.connect(self.edited)

        self.subject = QComboBox()
        self.subject.setEditable(False)
        self.subject.currentIndexChanged.connect(lambda _i: self.edited.emit("objection_subject_nik"))
        self.reason = QComboBox()
        self.reason.addItem(_("Choose a reason"), None)
        for reason, label in OBJECTION_REASON_LABELS.items():
            self.reason.addItem(_(label), reason.value)
        self.reason.currentIndexChanged.connect(lambda _i: self.edited.emit("objection_reason"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Briefly, why the person should no longer receive aid"))
        self.note.textEdited.connect(lambda _t: self.edited.emit("objection_note"))

        self.baru_box = QWidget()
        baru = QFormLayout(self.baru_box)
        baru.setContentsMargins(0, 0, 0, 0)
        baru.addRow(_("Programmes"), _stack(programme_row, self.messages["programmes"]))
        baru.addRow(_("Desil in the DTSEN"), _stack(self.desil, self.messages["desil"]))
        self.objection_box = QWidget()
        objection = QFormLayout(self.objection_box)
        objection.setContentsMargins(0, 0, 0, 0)
        objection.addRow(_("Person"), _stack(self.subject, self.messages["objection_subject_nik"]))
        objection.addRow(_("Reason"), _stack(self.reason, self.messages["objection_reason"]))
        objection.addRow(_("Explanation"), _stack(self.note, self.messages["objection_note"]))

        form = QFormLayout()
        form.addRow(_("Kind"), _stack(self.kind, self.messages["kind"]))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.baru_box)
        layout.addWidget(self.changes)
        layout.addWidget(self.objection_box)
        self._kind_changed()

    def current_kind(self) -> ProposalKind:
        return ProposalKind(self.kind.currentData())

    def _kind_changed(self, *_args) -> None:
        kind = self.current_kind()
        self.baru_box.setVisible(kind is ProposalKind.BARU)
        self.changes.setVisible(kind is ProposalKind.PEMBARUAN)
        self.objection_box.setVisible(kind is ProposalKind.SANGGAHAN)
        self.edited.emit("kind")

    def set_members(self, members: list[tuple[str, str]]) -> None:
        """Offer the household's members as the sanggahan's person, keeping the choice."""
        chosen = self.subject.currentData()
        self.subject.blockSignals(True)
        self.subject.clear()
        self.subject.addItem(_("Choose a member"), None)
        for nik, name in members:
            self.subject.addItem(f"{name} ({nik})", nik)
        self.subject.setCurrentIndex(max(self.subject.findData(chosen), 0))
        self.subject.blockSignals(False)

    def values(self) -> dict:
        kind = self.current_kind()
        data = {
            "kind": kind.value,
            "programmes": [code for code, box in self.programmes.items() if box.isChecked()],
            "desil": self.desil.currentData(),
            "changes": self.changes.values() if kind is ProposalKind.PEMBARUAN else [],
        }
        if kind is ProposalKind.SANGGAHAN:
            data["objection"] = {
                "subject_nik": self.subject.currentData(),
                "reason": self.reason.currentData(),
                "note": self.note.text().strip() or None,
            }
        return data

    def set_values(self, data: dict) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(data.get("kind")), 0))
        for code, box in self.programmes.items():
            box.setChecked(code in (data.get("programmes") or []))
        self.desil.setCurrentIndex(max(self.desil.findData(data.get("desil")), 0))
        self.changes.set_values(data.get("changes") or [])
        objection = data.get("objection") or {}
        if objection.get("subject_nik"):
            nik = objection["subject_nik"]
            if self.subject.findData(nik) < 0:
                self.subject.addItem(nik, nik)
            self.subject.setCurrentIndex(self.subject.findData(nik))
        self.reason.setCurrentIndex(max(self.reason.findData(objection.get("reason")), 0))
        self.note.setText(objection.get("note") or "")

    def show_issues(self, by_field: dict[str, list[Issue]]) -> set[str]:
        for name in OWN_FIELDS:
            self.messages[name].show_issues(by_field.get(name, []))
        return set(OWN_FIELDS) | self.changes.show_issues(by_field)

    def set_read_only(self, read_only: bool, *, kind_locked: bool) -> None:
        self.kind.setEnabled(not (read_only or kind_locked))
        for widget in (*self.programmes.values(), self.desil, self.subject, self.reason):
            widget.setEnabled(not read_only)
        self.note.setReadOnly(read_only)
        self.changes.set_read_only(read_only)
