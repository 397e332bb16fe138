"""Pengiriman: where the send queue stands, what Dinsos last said, and the USB and Lurah steps.

Sending itself happens in the background (app/ui/sync_scheduler.py); this page explains it in
plain words and offers what only a person can do: carry a stick, countersign, link the office.
"""

from __future__ import annotations

import string
from pathlib import Path

from app.clock import format_wib, utcnow
from app.i18n import N_, _
from app.services import outbox, provisioning, sync, sync_run
from app.services.sync_run import BatchView, SyncState
from app.sync.errors import BatchRejected, ReceiptInvalid
from app.ui.editor.prompts import Prompts
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


class SyncPage(QWidget):
    title = N_("Sending")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.scheduler = getattr(state, "scheduler", None)
        self.current: SyncState | None = None

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
        form.addRow(_("Waiting in the send queue (not yet received by Dinsos):"), self.waiting_label)
        form.addRow(_("Batches waiting for the Lurah's signature:"), self.awaiting_label)
        form.addRow(_("Batches to send:"), self.to_send_label)
        form.addRow(_("Batches received by Dinsos:"), self.delivered_label)
        form.addRow(_("Next attempt:"), self.next_label)

        self.send_button = QPushButton(_("Send now"))
        self.send_button.clicked.connect(self.send_now)
        self.export_button = QPushButton(_("Save batches to USB ..."))
        self.export_button.clicked.connect(self.choose_export_folder)
        self.receipt_button = QPushButton(_("Read receipt files ..."))
        self.receipt_button.clicked.connect(self.choose_receipts)
        actions = QHBoxLayout()
        for button in (self.send_button, self.export_button, self.receipt_button):
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
        for button in (self.send_button, self.export_button, self.countersign_button, self.release_button):
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
        due = fresh.next_attempt_at
        self.next_label.setText(
            format_wib(due) if due and due > utcnow() else (_("as soon as possible") if fresh.to_send else "–"))
        self.send_button.setEnabled(fresh.bound and self.scheduler is not None)
        self.countersign_button.setEnabled(fresh.awaiting_countersignature > 0)
        self.release_button.setEnabled(fresh.rejected > 0)
        self.link_button.setEnabled(not fresh.bound)
        self.export_button.setEnabled(fresh.to_send > 0)

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
                parts.append(_("{n} batch(es) received by Dinsos.").format(n=len(report.sent.delivered)))
            if report.statuses_applied:
                parts.append(_("{n} decision(s) from Dinsos arrived.").format(n=report.statuses_applied))
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
                lines.append(_("{n} receipt file(s) read: those batches are received by Dinsos.").format(
                    n=len(result.recorded)))
            for path, err in result.failed:
                lines.append(_("{file} was not read: {why}").format(file=path.name, why=err.message()))
            if result.failed:
                lines.append(_("Nothing was lost: those batches stay in the queue. Ask Dinsos for the receipt "
                               "files again, or send over the network."))
            self._say("\n".join(lines) or _("No receipt files were found there."))

        self.state.run(lambda ctx: sync.import_receipt_files(ctx, paths, now=utcnow()), done, changes=PROPOSALS)

    def countersign(self) -> None:
        if not self.prompts.confirm(
            _("Countersign the batches"),
            _("Countersign the SPTJM batches as Lurah? With your signature the kelurahan takes responsibility "
              "for these proposals."),
            yes=_("Countersign the batches"),
        ):
            return
        self.state.run(outbox.countersign_pending,
                       lambda done: self._say(_("{n} batch(es) countersigned and ready to send.").format(n=len(done))),
                       changes=PROPOSALS)

    def release_rejected(self) -> None:
        if not self.prompts.confirm(
            _("Prepare again"),
            _("Put the items of the refused batches back in the queue, to be signed and sent again? Do this "
              "after the cause is fixed (for example a renewed certificate)."),
            yes=_("Prepare again"),
        ):
            return
        self.state.run(outbox.release_rejected,
                       lambda n: self._say(_("{n} item(s) are back in the queue.").format(n=n)), changes=PROPOSALS)

    def choose_provisioning(self) -> None:
        if self.current is not None and self.current.linked:
            # Imported before, the server just did not confirm: try the link again.
            self.link_again()
            return
        path = self.prompts.open_file(_("Choose the provisioning file from Dinsos"), _("Provisioning file (*.json)"))
        if path is None:
            return
        fingerprint = self.prompts.text(
            _("Dinsos key check"),
            _("Type the Dinsos key fingerprint that Dinsos read out to you by phone (leave empty to skip the check):"))
        self.link_with(path, fingerprint)

    def link_with(self, path: Path, fingerprint: str | None, *, transport=None) -> None:
        def work(ctx) -> str:
            doc = provisioning.read_provisioning_file(path)
            link = transport or self._transport(doc["server_url"])
            return provisioning.link_office(ctx, doc, link, root_fingerprint=fingerprint or None)

        self.state.run(work, self._linked, on_error=self._link_failed, changes=OFFICE)

    def link_again(self, *, transport=None) -> None:
        url = self.current.server_url if self.current else None

        def work(ctx):
            provisioning.bind_and_certify(ctx, transport or self._transport(url))
            return None

        self.state.run(work, self._linked, on_error=self._link_failed, changes=OFFICE)

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
