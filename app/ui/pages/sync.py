"""Pengiriman: where the send queue stands, what Dinsos last said, and the USB and Lurah steps.

Sending itself happens in the background (app/ui/sync_scheduler.py); this page explains it in
plain words and offers what only a person can do: carry a stick, countersign, link the office.
"""

from __future__ import annotations

import string
from pathlib import Path

from app.clock import format_wib, utcnow
from app.i18n import N_, _, n_
from app.domain.workflow import KIND_LABELS, ProposalKind
from app.errors import UsulkanError
from app.services import lurah as lurah_service
from app.services import outbox, provisioning, return_import, sync, sync_run
from app.services.sync_run import BatchView, SyncState
from app.services.sync import BatchRejected, ReceiptInvalid
from app.ui.editor.prompts import Prompts
from app.ui.lurah_approval import LurahStepDialog
from app.ui.qt import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
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
from app.ui.state import OFFICE, PROPOSALS, AppState

BATCH_STATES = {
    outbox.AWAITING: N_("Waiting for the Lurah's signature"),
    outbox.READY: N_("Ready to send"),
    outbox.SENT: N_("Sent, waiting for a receipt"),
    outbox.BATCH_DELIVERED: N_("Received by Dinsos"),
    outbox.REJECTED: N_("Refused by Dinsos"),
}
PLAIN_REASONS = {
    "unreachable": N_("The Dinsos server cannot be reached. Everything stays in the queue and is sent by itself "
                      "when the network is back."),
    "gap": N_("Dinsos is still waiting for an earlier batch (perhaps one carried by USB). Sending goes on by itself."),
    "http_429": N_("The Dinsos server is busy. Sending goes on by itself a little later."),
    "cut_off": N_("The Dinsos server's answer was cut off on the way. Nothing is lost: the batch stays in the "
                  "queue and is sent again by itself."),
    "status_failed": N_("The decisions from Dinsos could not be read this time. They are fetched again next time."),
}
HEADERS = (N_("No."), N_("State"), N_("Items"), N_("Attempts"), N_("Made"), N_("Received"), N_("Note"))


def _fill(template: str, **params) -> str:
    """A message template with its fields filled where known, never a KeyError on screen."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: params.get(name, "?") for name in fields})


def reason_text(code: str | None) -> str:
    """A stored reason code in words an operator understands (empty when there is none)."""
    if not code:
        return ""
    if code in PLAIN_REASONS:
        return _(PLAIN_REASONS[code])
    if code.startswith("http_5") or code.startswith("http_"):
        return _("The Dinsos server answered with an error ({code}). Sending is tried again by itself.").format(
            code=code.removeprefix("http_"))
    if code.startswith("dtsen_"):
        from app.services.dtsen import DtsenRefused

        inner = code.removeprefix("dtsen_")
        why = _(DtsenRefused.messages[inner][0]) if inner in DtsenRefused.messages else inner
        return _("The DTSEN data from Dinsos was not applied: {why} The office keeps the version it has.").format(
            why=why)
    for prefix, family in (("receipt_", ReceiptInvalid), ("status_", None)):
        if code.startswith(prefix):
            inner = code.removeprefix(prefix)
            if family is not None and inner in family.messages:
                return _("The receipt from Dinsos could not be checked: {why}").format(
                    why=_fill(_(family.messages[inner][0])))
            return _("An answer from Dinsos could not be checked ({code}). It is asked again next time.").format(
                code=inner)
    if code in BatchRejected.messages:
        template, hint = BatchRejected.messages[code]
        text = _fill(_(template))
        return f"{text} {_(hint)}" if hint else text
    return _("Dinsos refused the batch ({code}). Contact Dinsos.").format(code=code)


def link_text(state: SyncState | None) -> str:
    if state is None:
        return _("Reading the send queue ...")
    if not state.linked:
        return _("This office is not linked to a Dinsos server yet. The Lurah links it with the provisioning "
                 "file from Dinsos; until then everything stays safely in the queue.")
    if not state.bound and not state.server_url:
        return _("This office links and sends by file. The link request is made; when Dinsos gives back the "
                 "answer file, the Lurah chooses it with \u201cLink to Dinsos\u201d.")
    if state.bound and not state.server_url:
        return _("Linked to Dinsos; this office sends by USB file.")
    if not state.bound:
        return _("The provisioning file is imported but the Dinsos server has not confirmed the link yet. "
                 "The Lurah can try again with \u201cLink to Dinsos\u201d.")
    # "Connected" only while the last round reached Dinsos; a link is not a connection.
    if state.last_error == "unreachable":
        if state.last_contact_at is None:
            return _("Linked to {url}, but not connected: the Dinsos server cannot be reached now.").format(
                url=state.server_url)
        return _("Linked to {url}, but not connected: the Dinsos server cannot be reached now "
                 "(last answer: {when}).").format(url=state.server_url, when=format_wib(state.last_contact_at))
    if state.last_contact_at is None:
        return _("Linked to {url}; the Dinsos server has not answered yet.").format(url=state.server_url)
    return _("Connected to {url}. Last answer from the Dinsos: {when}.").format(
        url=state.server_url, when=format_wib(state.last_contact_at))


def status_text(state: SyncState | None, running: bool) -> str:
    """One short line for the status bar."""
    if running:
        return _("Dinsos: sending ...")
    if state is None:
        return _("Dinsos: not linked yet")
    waiting = state.items_waiting  # already holds what sits in batches waiting for the Lurah
    if not state.bound:
        return _("Dinsos: not linked, {n} waiting").format(n=waiting) if waiting else _("Dinsos: not linked yet")
    if state.last_error == "unreachable":
        return _("Dinsos: offline, {n} waiting").format(n=waiting)
    if state.last_contact_at is None:
        return (_("Dinsos: no answer yet, {n} waiting").format(n=waiting) if waiting
                else _("Dinsos: no answer yet"))
    when = format_wib(state.last_contact_at)
    return (_("Dinsos: {when}, {n} waiting").format(when=when, n=waiting) if waiting
            else _("Dinsos: all sent ({when})").format(when=when))


ROUTE_LABELS = {"sptjm": N_("SPTJM (the Lurah)"), "muskel": N_("Muskel")}


class SyncPage(QWidget):
    title = N_("Sending")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.scheduler = getattr(state, "scheduler", None)
        self.current: SyncState | None = None
        self.dialog: LurahStepDialog | None = None  # the Lurah's approval open last (tests drive it)

        heading = QLabel(_("Sending to the Dinsos"))
        heading.setObjectName("pageHeading")
        self.link_label = QLabel()
        self.link_label.setWordWrap(True)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setObjectName("warning")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("hint")

        counts = QGroupBox(_("The queue"))
        form = QFormLayout(counts)
        self.waiting_label, self.awaiting_label = QLabel("–"), QLabel("–")
        self.to_send_label, self.delivered_label = QLabel("–"), QLabel("–")
        self.next_label = QLabel("–")
        self.documents_label = QLabel("–")
        form.addRow(_("Waiting in the send queue (not yet received by Dinsos):"), self.waiting_label)
        form.addRow(_("Batches waiting for the Lurah's signature:"), self.awaiting_label)
        form.addRow(_("Batches to send:"), self.to_send_label)
        form.addRow(_("Batches received by Dinsos:"), self.delivered_label)
        form.addRow(_("Next attempt:"), self.next_label)
        form.addRow(_("Documents still to upload (after their batch):"), self.documents_label)

        self.send_button = QPushButton(_("Send now"))
        self.send_button.clicked.connect(self.send_now)
        self.export_button = QPushButton(_("Save batches to USB ..."))
        self.export_button.clicked.connect(self.choose_export_folder)
        self.receipt_button = QPushButton(_("Read receipt files ..."))
        self.receipt_button.clicked.connect(self.choose_receipts)
        self.return_button = QPushButton(_("Import the Dinsos return file ..."))
        self.return_button.clicked.connect(self.choose_return_file)
        actions = QHBoxLayout()
        for button in (self.send_button, self.export_button, self.receipt_button, self.return_button):
            actions.addWidget(button)
        actions.addStretch(1)

        lurah = QGroupBox(_("For the Lurah"))
        lurah_row = QHBoxLayout(lurah)
        self.countersign_button = QPushButton(_("Countersign SPTJM batches"))
        self.countersign_button.clicked.connect(self.countersign)
        self.release_button = QPushButton(_("Prepare refused items again"))
        self.release_button.clicked.connect(self.release_rejected)
        self.link_button = QPushButton(_("Link to Dinsos ..."))
        self.link_button.clicked.connect(self.choose_provisioning)
        for button in (self.countersign_button, self.release_button, self.link_button):
            lurah_row.addWidget(button)
        lurah_row.addStretch(1)
        self.lurah_box = lurah

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a few dozen rows at most
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.link_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(counts)
        layout.addLayout(actions)
        layout.addWidget(lurah)
        layout.addWidget(self.message)
        layout.addWidget(QLabel(_("Latest batches")))
        layout.addWidget(self.table, 1)

        # Until the office's sync state is read (on the worker): no step is offered that may not apply.
        for button in (self.send_button, self.export_button, self.return_button, self.countersign_button,
                       self.release_button):
            button.setEnabled(False)
        if self.scheduler is not None:
            self.scheduler.state_changed.connect(self.show_state)
            self.scheduler.running_changed.connect(self._running)
            self.scheduler.round_finished.connect(self._round_finished)
        state.changed.connect(self._office_changed)
        state.signed_in.connect(self.reload)
        self.reload()

    # --- showing --------------------------------------------------------------------

    def reload(self) -> None:
        if self.state.ctx is None:
            return
        is_lurah = self.state.ctx.operator_role == "lurah"
        self.lurah_box.setVisible(is_lurah)
        self.state.run(lambda ctx: (sync_run.sync_state(ctx), sync_run.recent_batches(ctx)), self._loaded)

    def _loaded(self, result: tuple[SyncState, list[BatchView]]) -> None:
        fresh, batches = result
        self.show_state(fresh)
        self.table.setRowCount(len(batches))
        for row, batch in enumerate(batches):
            cells = (str(batch.sequence), _(BATCH_STATES.get(batch.state, batch.state)), str(batch.items),
                     str(batch.attempts), format_wib(batch.created_at), format_wib(batch.delivered_at),
                     reason_text(batch.last_error) if batch.state != outbox.BATCH_DELIVERED else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)

    def show_state(self, fresh: SyncState) -> None:
        self.current = fresh
        self.link_label.setText(link_text(fresh))
        problem = fresh.rejected_reason if fresh.rejected else fresh.last_error
        self.problem_label.setText(reason_text(problem))
        self.problem_label.setVisible(bool(problem))
        self.waiting_label.setText(str(fresh.items_waiting))
        self.awaiting_label.setText(str(fresh.awaiting_countersignature))
        self.to_send_label.setText(str(fresh.to_send))
        self.delivered_label.setText(str(fresh.delivered))
        self.documents_label.setText(str(fresh.documents_waiting))
        due = fresh.next_attempt_at
        self.next_label.setText(
            format_wib(due) if due and due > utcnow() else (_("as soon as possible") if fresh.to_send else "–"))
        self.send_button.setEnabled(fresh.bound and self.scheduler is not None)
        self.countersign_button.setEnabled(fresh.awaiting_countersignature > 0)
        self.release_button.setEnabled(fresh.rejected > 0)
        self.link_button.setEnabled(not fresh.bound)
        self.return_button.setEnabled(fresh.bound)
        # An office that sends by file signs its queue on saving: something queued is enough.
        self.export_button.setEnabled(fresh.to_send > 0 or (fresh.bound and fresh.items_waiting > 0))

    def _running(self, running: bool) -> None:
        self.send_button.setText(_("Sending ...") if running else _("Send now"))
        self.send_button.setEnabled(not running and bool(self.current and self.current.bound))
        if not running and self.message.text() == _("Sending ..."):
            # The round is over whatever it did: never leave "Sending ..." standing.
            self.message.setText(self._quiet_round_text())

    def _quiet_round_text(self) -> str:
        fresh = self.current
        if fresh is None or not fresh.bound:
            return _("Not sent: this office is not linked to a Dinsos server yet.")
        if fresh.last_error:
            return _("Not sent this time: {why}").format(why=reason_text(fresh.last_error))
        return (_("Round finished. {n} waiting in the send queue.").format(n=fresh.items_waiting)
                if fresh.items_waiting else _("Round finished. Everything has been sent."))

    def _round_finished(self, report) -> None:
        if isinstance(report, BaseException):
            self.message.setText(_("Sending stopped: {why}").format(why=str(report)))
        else:
            parts = []
            if report.sent.delivered:
                parts.append(n_("{n} batch received by Dinsos.", "{n} batches received by Dinsos.", len(report.sent.delivered)).format(n=len(report.sent.delivered)))
            uploaded = len(report.documents.uploaded) if report.documents else 0
            if uploaded:
                parts.append(n_("{n} document received by Dinsos.", "{n} documents received by Dinsos.", uploaded).format(n=uploaded))
            if report.statuses_applied:
                parts.append(n_("{n} decision from Dinsos arrived.", "{n} decisions from Dinsos arrived.", report.statuses_applied).format(n=report.statuses_applied))
            if report.not_certified and self.current and self.current.items_waiting:
                parts.append(_("Queued proposals are signed when an operator with a certificate signs in."))
            if parts:  # a quiet round keeps the last thing the page said
                self.message.setText(" ".join(parts))
        self.reload()

    def _office_changed(self, what: str) -> None:
        if what in (PROPOSALS, OFFICE) and self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.reload()

    # --- actions --------------------------------------------------------------------

    def _say(self, text: str) -> None:
        """The outcome of an action, then the figures it changed."""
        self.message.setText(text)
        self.reload()

    def send_now(self) -> None:
        if self.scheduler is None:
            return
        before = self.message.text()
        # Said before the round starts: a round that ends at once must not find it afterwards.
        self.message.setText(_("Sending ..."))
        if not self.scheduler.send_now():
            self.message.setText(before)  # one runs already, or no office: nothing new to say

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the USB stick or a folder on it"))
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        def done(paths: list[Path]) -> None:
            self._say(_("{n} batch file(s) saved in {folder}. Take them to Dinsos; the receipt files "
                                   "they give back are read with \u201cRead receipt files\u201d.").format(
                n=len(paths), folder=str(folder)))

        self.state.run(lambda ctx: sync.export_ready(ctx, folder), done)

    def choose_receipts(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Choose the receipt files from Dinsos"), "",
                                                      _("Receipt files (*.usulkan-receipt *.json)"))
        if paths:
            self.import_receipts([Path(p) for p in paths])

    def import_receipts(self, paths: list[Path]) -> None:
        def done(result: sync.ReceiptImport) -> None:
            lines = []
            if result.recorded:
                lines.append(n_("{n} receipt file read: that batch is received by Dinsos.", "{n} receipt files read: those batches are received by Dinsos.", len(result.recorded)).format(
                    n=len(result.recorded)))
            for path, err in result.failed:
                lines.append(_("{file} was not read: {why}").format(file=path.name, why=err.message()))
            if result.failed:
                lines.append(_("Nothing was lost: those batches stay in the queue. Ask Dinsos for the receipt "
                               "files again, or send over the network."))
            self._say("\n".join(lines) or _("No receipt files were found there."))

        self.state.run(lambda ctx: sync.import_receipt_files(ctx, paths, now=utcnow()), done, changes=PROPOSALS)

    def choose_return_file(self) -> None:
        path = self.prompts.open_file(_("Choose the return file from Dinsos"),
                                      _("Dinsos return file (*.usulkan-return)"))
        if path is not None:
            self.import_return(path)

    def import_return(self, path: Path) -> None:
        """Dinsos's receipts and decisions from a stick, checked like those that come over the network."""
        def failed(error: BaseException) -> None:
            if not isinstance(error, UsulkanError):
                self.state.failed.emit(error)
                return
            self._say(_("{file} was not imported: {why} Nothing in this office was changed.").format(
                file=path.name, why=error.message()))

        self.state.run(lambda ctx: return_import.import_return_file(ctx, path, now=utcnow()),
                       lambda result: self._say(return_import.summary_text(result)), on_error=failed,
                       changes=PROPOSALS)

    def countersign(self) -> None:
        """Show the Lurah what the SPTJM batches hold, as signed, and countersign them with her passphrase."""
        self.state.run(outbox.awaiting_countersignature, self._ask_countersign)

    def _ask_countersign(self, shown: list) -> None:
        if not shown:
            self._say(_("No batch is waiting for the Lurah's signature."))
            self.reload()
            return
        rows = [
            [line.head_name or "-", line.kk_number or "-", _(KIND_LABELS[ProposalKind(line.kind)]) if line.kind else "-",
             _(ROUTE_LABELS.get(line.route, line.route or "-")), line.tracking_code or "-",
             _("batch {sequence}, {operator}").format(sequence=batch.sequence, operator=batch.operator_name)]
            for batch in shown for line in batch.lines
        ]
        count = len(rows)
        text = _("With the Lurah's signature the kelurahan takes absolute responsibility (SPTJM) for these "
                 "{count} proposal(s), exactly as the operator signed them. Check the households, then type the "
                 "Lurah's passphrase.").format(count=count)

        def step(ctx, approval):
            confirmation = lurah_service.confirm(
                ctx, approval.passphrase, purpose=lurah_service.Purpose.COUNTERSIGN,
                subject=outbox.countersign_subject(shown), totp_code=approval.totp_code)
            return outbox.countersign_pending(ctx, confirmation, shown)

        self.dialog = LurahStepDialog(
            self.state, self, _("Countersign the SPTJM batches"), text, step,
            lambda done: self._say(n_("{n} batch countersigned and ready to send.", "{n} batches countersigned and ready to send.", len(done)).format(n=len(done))),
            headers=[_("Household (head)"), _("No. KK"), _("Kind"), _("Route"), _("Tracking code"), _("Batch")],
            rows=rows, approve=_("Countersign"), changes=PROPOSALS,
        )
        self.dialog.open()

    def release_rejected(self) -> None:
        if not self.prompts.confirm(
            _("Prepare again"),
            _("Put the items of the refused batches back in the queue, to be signed and sent again? Do this "
              "after the cause is fixed (for example a renewed certificate)."),
            yes=_("Prepare again"),
        ):
            return
        self.state.run(outbox.release_rejected,
                       lambda n: self._say(n_("{n} item is back in the queue.", "{n} items are back in the queue.", n).format(n=n)), changes=PROPOSALS)

    def choose_provisioning(self) -> None:
        if self.current is not None and self.current.linked:
            if not self.current.server_url:
                # An office that links by file: the answer Dinsos wrote for our request file.
                answer = self.prompts.open_file(_("Choose the link answer file from Dinsos"),
                                                _("Link answer (*.usulkan-bind-answer)"))
                if answer is not None:
                    self.import_answer(answer)
                return
            # Imported before, the server just did not confirm: try the link again.
            self.link_again()
            return
        path = self.prompts.open_file(_("Choose the provisioning file from Dinsos"), _("Provisioning file (*.json)"))
        if path is None:
            return
        fingerprint = self.prompts.text(
            _("Dinsos key check"),
            _("Type the Dinsos key fingerprint that Dinsos read out to you by phone (leave empty to skip the check):"))
        try:
            doc = provisioning.read_provisioning_file(path)
        except provisioning.ProvisioningFileUnreadable as err:
            self.state.failed.emit(err)
            return
        if doc.get("server_url"):
            self.link_with(path, fingerprint)
            return
        target = self.prompts.save_file(_("Save the link request for Dinsos (on the USB stick)"),
                                        provisioning.request_file_name(str(doc.get("office_id", "kantor"))),
                                        _("Link request (*.usulkan-bind-request)"))
        if target is not None:
            self.link_by_file(path, fingerprint, target)

    def link_by_file(self, path: Path, fingerprint: str | None, target: Path) -> None:
        """An office without a network: import the document, write the sealed link request file."""
        def work(ctx) -> Path:
            doc = provisioning.read_provisioning_file(path)
            provisioning.import_provisioning(ctx, doc, root_fingerprint=fingerprint or None)
            return provisioning.write_bind_request_file(ctx, target)

        def done(written: Path) -> None:
            self.reload()
            self._say(_("Link request saved as {path}. Take it to Dinsos; when the answer file comes back, "
                        "press \"Link to Dinsos\" again and choose it.").format(path=str(written)))

        self.state.run(work, done, on_error=self._link_failed, changes=OFFICE)

    def import_answer(self, path: Path) -> None:
        def work(ctx):
            provisioning.import_bind_answer_file(ctx, path)
            provisioning.certify_uncertified(ctx)

        self.state.run(work, self._linked, on_error=self._link_failed, changes=OFFICE)

    def link_with(self, path: Path, fingerprint: str | None, *, transport=None) -> None:
        """The Lurah approves linking (passphrase typed now, and the code when enrolled); then it runs."""

        def step(ctx, approval) -> str:
            doc = provisioning.read_provisioning_file(path)
            link = transport or self._transport(doc["server_url"])
            confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.LINK,
                                                 totp_code=approval.totp_code)
            return provisioning.link_office(ctx, doc, link, confirmation=confirmation,
                                            root_fingerprint=fingerprint or None)

        self._approve_link(_("Linking registers this office's authority key with Dinsos ({file}); from then on "
                             "Dinsos accepts batches signed by the people the Lurah certified.").format(file=path.name),
                           step)

    def link_again(self, *, transport=None) -> None:
        url = self.current.server_url if self.current else None

        def step(ctx, approval):
            confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.LINK,
                                                 totp_code=approval.totp_code)
            provisioning.bind_and_certify(ctx, transport or self._transport(url), confirmation=confirmation)
            return None

        self._approve_link(_("Finish linking this office to the Dinsos server and certify its people."), step)

    def _approve_link(self, text: str, step) -> None:
        self.dialog = LurahStepDialog(self.state, self, _("Link the office to Dinsos"), text, step, self._linked,
                                      approve=_("Link the office"), changes=OFFICE)
        self.dialog.rejected.connect(self.reload)
        self.dialog.open()

    def _transport(self, url: str):
        factory = getattr(self.scheduler, "transport_factory", None)
        if factory is None:
            from app.ui.sync_scheduler import http_transport as factory
        return factory(url)

    def _linked(self, _result) -> None:
        self.message.setText(_("The office is linked to the Dinsos server. Queued proposals are sent from now on."))
        if self.scheduler is not None:
            self.scheduler.refresh()
            self.scheduler.send_now()
        self.reload()

    def _link_failed(self, error: BaseException) -> None:
        self.reload()
        self.state.failed.emit(error)
