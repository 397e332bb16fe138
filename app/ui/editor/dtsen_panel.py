"""The editor's DTSEN panel: the registry's record beside what the operator typed, and the suggested route."""

from __future__ import annotations

from app.domain.workflow import KIND_LABELS
from app.clock import utcnow
from app.i18n import _
from app.services import dtsen
from app.ui.qt import (
    QAbstractItemView,
    QBrush,
    QColor,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.state import AppState

DIFFERENT = QColor("#fde2cf")  # a warm tint: what was typed differs from the registry


def _digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


class DtsenPanel(QGroupBox):
    """Looks the household up offline (No. KK, else a member's NIK) each time those fields change."""

    use_kind = Signal(str)  # the operator chose the suggested kind

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(_("DTSEN registry"), parent)
        self.state = state
        self.record: dtsen.Record | None = None
        self.advice: dtsen.RouteAdvice | None = None
        self._typed: dict = {}
        self._asked: tuple | None = None
        self.summary = QLabel(_("Type the No. KK or a NIK: the family is looked up in the office's DTSEN data."))
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("Field"), _("Typed here"), _("In the DTSEN")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.hide()
        self.route = QLabel()
        self.route.setWordWrap(True)
        self.route.hide()
        self.use_button = QPushButton()
        self.use_button.setAutoDefault(False)
        self.use_button.clicked.connect(self._use)
        self.use_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.use_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(self.route)
        layout.addLayout(row)

    def show_typed(self, household: dict, members: list[dict], kind_values: dict) -> None:
        """What the operator typed now; looked up again only when the No. KK or the NIKs changed."""
        self._typed = {"kk": _digits(household.get("kk_number", "")), "members": members,
                       "desil": kind_values.get("desil"), "programmes": kind_values.get("programmes") or []}
        niks = tuple(_digits(m.get("nik", "")) for m in members)
        keys = (self._typed["kk"], niks)
        if keys == self._asked:
            self._fill()
            return
        self._asked = keys
        if self.state.ctx is None:
            return
        candidates = [k for k in (self._typed["kk"], *niks) if len(k) == 16]

        def find(ctx):
            found = next((r for r in (dtsen.lookup(ctx, key) for key in candidates) if r is not None), None)
            return found, dtsen.max_desil(ctx), dtsen.status(ctx)

        self.state.run(find, self._found)

    def _found(self, result) -> None:
        self.record, limit, status = result
        version = status.version
        has_key = any(len(k) == 16 for k in (self._asked[0], *self._asked[1])) if self._asked else False
        if not version:
            self.summary.setText(_("This office has no DTSEN data yet (Pengaturan, DTSEN data from Dinsos)."))
            self.advice = None
        elif self.record is None:
            self.summary.setText(_("Not found in the office's DTSEN data (version {v}).").format(v=version)
                                 if has_key else _("Type the No. KK or a NIK: the family is looked up in the "
                                                   "office's DTSEN data."))
            self.advice = dtsen.route(None, limit) if has_key else None
        else:
            how = _("by No. KK") if self.record.matched_by == "no_kk" else _("by a member's NIK")
            self.summary.setText(_("Found {how}: DTSEN ID {id}, desil {desil}, programmes {programmes}.").format(
                how=how, id=self.record.dtsen_id, desil=self.record.desil,
                programmes=", ".join(self.record.programmes) or "-"))
            self.advice = dtsen.route(self.record, limit)
        if version and status.expired(utcnow()):
            self.summary.setText(self.summary.text() + " " + _(
                "This DTSEN data is past the date Dinsos gave for renewal; it may be out of date."))
        self._fill()

    def _fill(self) -> None:
        record, typed = self.record, self._typed
        self.table.setVisible(record is not None)
        if record is not None:
            rows = [(_("No. KK"), typed.get("kk", ""), record.no_kk),
                    (_("Desil"), "" if typed.get("desil") is None else str(typed["desil"]), str(record.desil)),
                    (_("Programmes"), ", ".join(sorted(typed.get("programmes", []))), ", ".join(record.programmes))]
            by_nik = {_digits(m.get("nik", "")): m.get("name", "") for m in typed.get("members", [])}
            for nik, name in record.members:
                rows.append((_("Member {nik}").format(nik=nik), by_nik.get(nik, _("(not typed)")), name))
            registry = {nik for nik, _name in record.members}
            for nik, name in by_nik.items():
                if nik and nik not in registry:
                    rows.append((_("Member {nik}").format(nik=nik), name, _("(not in the DTSEN)")))
            self.table.setRowCount(len(rows))
            for index, (label, mine, theirs) in enumerate(rows):
                differs = mine.strip().casefold() != theirs.strip().casefold()
                for column, value in enumerate((label, mine, theirs)):
                    item = QTableWidgetItem(value)
                    if differs:
                        item.setBackground(QBrush(DIFFERENT))
                        item.setToolTip(_("What was typed differs from the DTSEN."))
                    self.table.setItem(index, column, item)
            self.table.resizeColumnsToContents()
        advice = self.advice
        self.route.setVisible(advice is not None)
        self.use_button.setVisible(advice is not None)
        if advice is not None:
            self.route.setText(advice.text)
            self.use_button.setText(_("Make it: {kind}").format(kind=_(KIND_LABELS[advice.kind])))

    def differing_rows(self) -> list[str]:
        """The labels of the rows where typing and registry differ (what the tint marks)."""
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())
                if self.table.item(r, 1).background().color() == DIFFERENT]

    def _use(self) -> None:
        if self.advice is not None:
            self.use_kind.emit(self.advice.kind.value)



