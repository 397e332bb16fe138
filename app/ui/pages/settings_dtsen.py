"""Pengaturan, DTSEN: the version in the office, "Impor data DTSEN" from a stick, the desil limit, what changed."""

from __future__ import annotations

from pathlib import Path

from app.clock import utcnow
from app.errors import UsulkanError
from app.i18n import N_, _, n_
from app.services import dtsen
from app.ui.errors import error_text
from app.ui.people.common import feedback_label, say
from app.ui.qt import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from app.ui.state import AppState

DTSEN = "dtsen"
CHANGE_LABELS = {"new": N_("new in the registry"), "left": N_("left the registry"), "desil": N_("desil moved")}
SHOWN_CHANGES = 200


class DtsenBox(QGroupBox):
    """The office's DTSEN reference: imported by file here or in the sync round; the editor looks it up."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(_("DTSEN data from Dinsos"), parent)
        self.state = state
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.import_button = QPushButton(_("Import DTSEN data"))
        self.import_button.clicked.connect(self.choose_files)
        self.max_desil = QSpinBox()
        self.max_desil.setRange(1, 10)
        self.save_button = QPushButton(_("Save desil limit"))
        self.save_button.clicked.connect(self.save_limit)
        self.message = feedback_label()
        note = QLabel(_("A family up to this desil fits a new-recipient proposal (usulan baru); above it the editor "
                        "suggests an update proposal. Most bansos (PKH, BPNT, PBI-JK) take desil 1 to 4."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.changes = QTableWidget(0, 4)
        self.changes.setHorizontalHeaderLabels([_("No. KK"), _("Head of family"), _("Change"), _("Desil")])
        self.changes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes.verticalHeader().hide()
        self.changes.setMinimumHeight(140)
        self.changes_title = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        limit = QHBoxLayout()
        limit.addWidget(self.max_desil)
        limit.addWidget(self.save_button)
        limit.addStretch(1)
        form = QFormLayout(self)
        form.addRow("", self.status)
        form.addRow("", buttons)
        form.addRow(_("Desil limit"), limit)
        form.addRow("", note)
        form.addRow("", self.message)
        form.addRow("", self.changes_title)
        form.addRow(self.changes)
        state.signed_in.connect(self.load)
        state.changed.connect(lambda what: self.load() if what == DTSEN else None)
        self.load()

    def load(self) -> None:
        if self.state.ctx is None:
            return
        self.state.run(lambda ctx: (dtsen.status(ctx), dtsen.changes(ctx, SHOWN_CHANGES)), self.show_state)

    def show_state(self, loaded) -> None:
        current, changes = loaded
        self.max_desil.setValue(current.max_desil)
        if not current.version:
            self.status.setText(_("No DTSEN data in this office yet. It arrives in the sync round, or import the "
                                  "file Dinsos gave you."))
        else:
            text = n_("DTSEN version {version} from {date}: {n} family.",
                      "DTSEN version {version} from {date}: {n} families.", current.families).format(
                version=current.version, date=f"{current.issued_at:%d-%m-%Y}", n=current.families)
            if current.expired(utcnow()):
                text += " " + _("Dinsos marked this data as due for renewal; ask for a newer DTSEN package.")
            self.status.setText(text)
        self.changes_title.setText(_("What the last version changed ({n})").format(n=len(changes)) if changes
                                   else _("The last version changed nothing that is shown here."))
        self.changes.setRowCount(len(changes))
        for row, change in enumerate(changes):
            desil = f"{change.old_desil or '–'} → {change.new_desil or '–'}"
            for column, value in enumerate((change.no_kk, change.head, _(CHANGE_LABELS[change.change]), desil)):
                self.changes.setItem(row, column, QTableWidgetItem(value))
        self.changes.resizeColumnsToContents()

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Choose the DTSEN files from Dinsos"), "",
                                                      _("DTSEN files (*.usulkan-dtsen)"))
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> None:
        def done(report: dtsen.ImportReport) -> None:
            say(self.message, dtsen.import_summary(report), ok=True)

        def failed(error: BaseException) -> None:
            if not isinstance(error, UsulkanError):
                self.state.failed.emit(error)
                return
            say(self.message, _("The DTSEN data was not imported: {why} Nothing in this office was changed.").format(
                why=error_text(error)), ok=False)

        self.state.run(lambda ctx: dtsen.import_files(ctx, paths, now=utcnow()), done, on_error=failed,
                       changes=DTSEN)

    def save_limit(self) -> None:
        value = self.max_desil.value()
        self.state.run(lambda ctx: dtsen.set_max_desil(ctx, value),
                       lambda _result: say(self.message, _("Saved: desil 1 to {limit} fits a new-recipient proposal.").format(
                           limit=value), ok=True),
                       on_error=lambda error: say(self.message, error_text(error), ok=False), changes=DTSEN)
