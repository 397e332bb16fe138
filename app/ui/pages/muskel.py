"""Musyawarah kelurahan: the candidate list (BNBA) by RW, printed or exported, and its decisions recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.domain.workflow import DECISION_LABELS, Action, ProposalKind, State, decisions
from app.errors import UsulkanError
from app.i18n import N_, _, n_
from app.services import outbox
from app.services.letterhead import letterhead
from app.services.muskel import candidates, ready_among, record_decisions, record_export
from app.ui.bnba import HEADERS, BnbaSheet, bnba_pdf, bnba_rows, bnba_title, bnba_xlsx
from app.ui.column_widths import WIDEST_NUMBER, WIDEST_TRACKING, every_kind_label, fit_column
from app.ui.editor.attachments_panel import read_limited
from app.ui.editor.prompts import DOCUMENT_FILTER, Prompts
from app.ui.progress import ProgressDialog, run_with_progress
from app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDate,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import ATTACHMENTS, PROPOSALS, AppState


def decision_choices(kind: str) -> list[tuple[str, str]]:
    """The decisions the workflow table accepts for this kind in the muskel."""
    return [(d, _(DECISION_LABELS[d]))
            for d in decisions(State.MUSKEL, ProposalKind(kind), Action.RECORD_MUSKEL_DECISION)]


def bnba_sheet(ctx, **meeting) -> BnbaSheet:
    """The sheet's letterhead and signatories from the office (its Lurah's name), with the meeting typed on the page."""
    head = letterhead(ctx)
    region = ", ".join(p for p in (_("Kecamatan {name}").format(name=head.district) if head.district else "",
                                   head.regency) if p)
    contact = " \u00b7 ".join(p for p in (head.address, _("Phone {number}").format(number=head.phone)
                                          if head.phone else "") if p)
    return BnbaSheet(office_name=head.office_name, region_line=region, contact_line=contact, village=head.village,
                     lurah_name=head.lurah_name, **meeting)


class MuskelPage(QWidget):
    title = N_("Musyawarah")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.summaries: list = []
        self.progress: ProgressDialog | None = None  # the last long job's window (tests cancel through it)

        heading = QLabel(_("Kelurahan deliberation (muskel)"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        self.rw = QLineEdit()
        self.rw.setPlaceholderText(_("All RWs"))
        self.rw.setMaximumWidth(90)
        self.rw.returnPressed.connect(self.refresh)
        self.rt = QLineEdit()
        self.rt.setPlaceholderText(_("All RTs"))
        self.rt.setMaximumWidth(90)
        self.rt.returnPressed.connect(self.refresh)
        # What the printed list says about the meeting and who signs it.
        self.meeting_date = QDateEdit(QDate.currentDate())
        self.meeting_date.setCalendarPopup(True)
        self.meeting_date.setDisplayFormat("dd-MM-yyyy")
        self.meeting_place = QLineEdit()
        self.meeting_place.setPlaceholderText(_("e.g. Balai Kelurahan"))
        self.lpmk_name = QLineEdit()
        self.lpmk_name.setPlaceholderText(_("name (may stay empty)"))
        self.notulis_name = QLineEdit()
        self.notulis_name.setPlaceholderText(_("name (may stay empty)"))
        show = QPushButton(_("Show"))
        show.clicked.connect(self.refresh)
        self.pdf_button = QPushButton(_("Print BNBA (PDF)…"))
        self.pdf_button.clicked.connect(self.export_pdf)
        self.xlsx_button = QPushButton(_("Export BNBA (XLSX)…"))
        self.xlsx_button.clicked.connect(self.export_xlsx)
        self.record_button = QPushButton(_("Record the decisions…"))
        self.record_button.clicked.connect(self.record)
        self.count = QLabel()

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # Every column as wide as its content, the decision box included; the name takes the rest.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        widest = {"NIK": [WIDEST_NUMBER], "No. KK": [WIDEST_NUMBER], "Kind": every_kind_label(),
                  "Tracking code": [WIDEST_TRACKING]}
        for header, texts in widest.items():
            if header in HEADERS:  # by name: the BNBA's columns may be added to or reordered
                fit_column(self.table, HEADERS.index(header), texts)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("RT")))
        bar.addWidget(self.rt)
        bar.addWidget(QLabel(_("RW")))
        bar.addWidget(self.rw)
        bar.addWidget(show)
        bar.addStretch(1)
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.xlsx_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(QLabel(_("Choose each household's decision as written in the minutes, "
                                  "then record them all at once with the scanned minutes.")))
        layout.addLayout(bar)
        meeting = QHBoxLayout()
        for label, widget in ((_("Muskel date"), self.meeting_date), (_("Place"), self.meeting_place),
                              (_("Chair of the LPMK"), self.lpmk_name), (_("Minute-taker (notulis)"), self.notulis_name)):
            meeting.addWidget(QLabel(label))
            meeting.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        layout.addLayout(meeting)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        state.changed.connect(lambda what: what == PROPOSALS and self.refresh())
        self.refresh()

    def refresh(self) -> None:
        if self.state.ctx is None:
            return
        rw, rt = self.rw.text().strip() or None, self.rt.text().strip() or None
        self.state.run(lambda ctx: candidates(ctx, rw=rw, rt=rt), self._show)

    def _show(self, summaries) -> None:
        self.summaries = list(summaries)
        rows = bnba_rows(self.summaries)
        self.table.setRowCount(len(rows))
        decision_column = len(HEADERS) - 1
        for r, (row, summary) in enumerate(zip(rows, self.summaries, strict=True)):
            for column, text in enumerate(row.cells()[:decision_column]):
                self.table.setItem(r, column, QTableWidgetItem(text))
            combo = QComboBox()
            combo.addItem(_("Not decided"), None)
            for value, label in decision_choices(summary.kind):
                combo.addItem(label, value)
            self.table.setCellWidget(r, decision_column, combo)
        self.count.setText(n_("{count} household waiting for the muskel", "{count} households waiting for the muskel", len(rows)).format(count=len(rows)))
        for button in (self.pdf_button, self.xlsx_button, self.record_button):
            button.setEnabled(bool(rows))

    def chosen(self) -> dict[str, str]:
        """proposal id -> decision, for the rows that have one."""
        column = len(HEADERS) - 1
        return {
            s.id: self.table.cellWidget(r, column).currentData()
            for r, s in enumerate(self.summaries)
            if self.table.cellWidget(r, column).currentData()
        }

    def set_decision(self, row: int, decision: str) -> None:
        combo = self.table.cellWidget(row, len(HEADERS) - 1)
        combo.setCurrentIndex(combo.findData(decision))

    def _title(self) -> str:
        return bnba_title(bnba_rows(self.summaries), rt=self.rt.text().strip() or None,
                          rw=self.rw.text().strip() or None)

    def _meeting(self) -> dict:
        """What the operator typed about the meeting (read here, on the GUI thread)."""
        day = self.meeting_date.date()
        return {
            "title": self._title(),
            "meeting_date": date(day.year(), day.month(), day.day()),
            "meeting_place": self.meeting_place.text().strip(),
            "lpmk_name": self.lpmk_name.text().strip(),
            "notulis_name": self.notulis_name.text().strip(),
        }

    def export_pdf(self) -> None:
        path = self.prompts.save_file(_("Save the BNBA"), "bnba-muskel.pdf", "PDF (*.pdf)")
        if path is not None:
            self._export(bnba_pdf, path, "pdf")

    def export_xlsx(self) -> None:
        path = self.prompts.save_file(_("Save the BNBA"), "bnba-muskel.xlsx", "Excel (*.xlsx)")
        if path is not None:
            self._export(bnba_xlsx, path, "xlsx")

    def _export(self, writer, path: Path, file_format: str) -> ProgressDialog:
        """Write the file on the worker behind a progress window; Cancel leaves no file and no audit entry."""
        rows = bnba_rows(self.summaries)
        count, rw, rt = len(rows), self.rw.text().strip() or None, self.rt.text().strip() or None
        meeting = self._meeting()

        def work(ctx, job):
            sheet = bnba_sheet(ctx, **meeting)

            def write():
                writer(rows, path, sheet=sheet, cancel=job.check, progress=job.progress)
            # Names and addresses leave the database: the export is audited like opening a detail,
            # and the entry is kept only if the file was written.
            record_export(ctx, file_format=file_format, count=count, rw=rw, rt=rt, write=write)

        self.progress = run_with_progress(
            self.state, self, _("Saving the BNBA"), work,
            lambda _result: self.prompts.info(_("Saved"), _("Saved to {path}.").format(path=str(path))),
            text=n_("Writing {count} household to {file}…", "Writing {count} households to {file}…", count).format(count=count, file=path.name),
            on_error=self._export_failed,
        )
        return self.progress

    def _export_failed(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            self.prompts.error(_("The file could not be written. Choose another folder, or close the file if it is open."))
        else:
            self._failed(error)

    def record(self) -> None:
        chosen = self.chosen()
        if not chosen:
            self.prompts.error(_("Choose a decision for at least one household first."))
            return
        path = self.prompts.open_file(_("Choose the scanned minutes…"), DOCUMENT_FILTER)
        if path is None:
            return
        if not self.prompts.confirm(
            _("Record the decisions"),
            n_("Record {count} decision with the minutes {file}? This cannot be undone here.", "Record {count} decisions with the minutes {file}? This cannot be undone here.", len(chosen)).format(
                count=len(chosen), file=path.name),
            yes=_("Record"),
        ):
            return

        def done(result) -> None:
            count, ready = result
            self.state.changed.emit(ATTACHMENTS)
            if not ready:
                self.prompts.info(_("Recorded"), n_("{count} decision recorded.", "{count} decisions recorded.", count).format(count=count))
                return
            # The eligible ones are ready: the usual next step, offered at once (through the outbox).
            if self.prompts.confirm(
                _("Recorded"),
                n_("{count} decision recorded; {ready} households are ready to send. Put them in the send "
                   "queue now? Once queued they can no longer be changed: a correction needs a new version.",
                   "{count} decisions recorded; {ready} households are ready to send. Put them in the send "
                   "queue now? Once queued they can no longer be changed: a correction needs a new version.",
                   count).format(count=count, ready=len(ready)),
                yes=_("Put in the send queue"),
            ):
                self.queue(ready)

        def work(ctx, job):
            count = record_decisions(ctx, chosen, path.name, read_limited(path), cancel=job.check,
                                     progress=job.progress)
            return count, ready_among(ctx, list(chosen))

        # All or nothing: Cancel rolls every decision back, so the list stays as it was.
        self.progress = run_with_progress(
            self.state, self, _("Recording the decisions"), work, done,
            text=n_("Recording {count} decision…", "Recording {count} decisions…", len(chosen)).format(count=len(chosen)),
            on_error=self._failed, changes=PROPOSALS,
            on_cancelled=lambda: self.prompts.info(_("Cancelled"), _("Nothing was recorded.")),
        )

    def queue(self, proposal_ids: list[str]) -> None:
        """Put these ready proposals in the send queue, all or nothing, each with its outbox item."""
        def done(summaries) -> None:
            self.prompts.info(_("Queued"), n_("{count} proposal is in the send queue; it goes with the next batch.",
                                             "{count} proposals are in the send queue; they go with the next batch.",
                                             len(summaries)).format(count=len(summaries)))

        self.state.run(lambda ctx: outbox.queue_proposals(ctx, proposal_ids), done, on_error=self._failed,
                       changes=PROPOSALS)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            self.prompts.error(_("The file could not be read. Check that it still exists and is not open elsewhere."))
        elif isinstance(error, UsulkanError):
            self.prompts.error(error.message())
        else:
            self.state.failed.emit(error)
