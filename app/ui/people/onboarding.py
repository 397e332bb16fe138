"""A person's start page: handovers to confirm, their open work, notes left for them, the playbook, Dinsos's decisions.

Shown by itself on a person's first sign-in (known from the audit log: it holds only this one
unlock by them, see ``people.is_first_sign_in``), on any sign-in while a handover to them waits
for their acknowledgement, and at any time from the People page. Never on the very first run of
a brand-new office: the person who just created it has nothing to start from yet.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.clock import format_wib
from app.domain.complaint import CATEGORY_LABELS, STATUS_LABELS, ComplaintCategory, ComplaintStatus
from app.domain.workflow import STATE_LABELS, State
from app.errors import UsulkanError
from app.i18n import _, N_, n_
from app.services.context import OfficeContext
from app.services.handover import Onboarding, onboarding
from app.services.handover_report import HandoverRecordView, acknowledge, awaiting_acknowledgement, record_view
from app.services.people import is_first_sign_in
from app.ui.editor.prompts import Prompts
from app.ui.errors import error_text
from app.ui.handover_pdf import default_file_name, handover_pdf
from app.ui.people.common import say
from app.ui.qt import (
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    Qt,
    QTabWidget,
    QTextBrowser,
    QUrl,
    QVBoxLayout,
    QWidget,
)
from app.ui.receipt_pdf import write_private
from app.ui.screen_fit import fit_to_screen
from app.ui.state import AppState

log = logging.getLogger(__name__)
DATA_ROLE = Qt.ItemDataRole.UserRole
WORK_TYPES = {
    "proposal": N_("Proposal"),
    "complaint": N_("Complaint"),
    "next_action": N_("Next action"),
    "form_draft": N_("Unfinished form"),
}
# Where a double-click on an item of work opens it: (page key of the main window, open_item argument).
OPENS_ON = {"proposal": "proposals", "complaint": "complaints"}


def _work_line(item) -> str:
    label, state = item.label, item.state or ""
    try:
        if item.type == "complaint":
            label = _(CATEGORY_LABELS[ComplaintCategory(item.label)])
            state = _(STATUS_LABELS[ComplaintStatus(item.state)]) if item.state else ""
        elif item.type == "proposal" and item.state:
            state = _(STATE_LABELS[State(item.state)])
    except (KeyError, ValueError):
        pass
    parts = [_(WORK_TYPES.get(item.type, item.type)), label]
    if state:
        parts.append(state)
    if item.due_date is not None:
        parts.append(_("due {date}").format(date=item.due_date.strftime("%d-%m-%Y")))
    line = " \u2014 ".join(parts)
    for note in item.notes:
        line += "\n    " + _("Note: {text}").format(text=note)
    return line


def _decision_line(decision) -> str:
    try:
        state = _(STATE_LABELS[State(decision.to_state)])
    except (KeyError, ValueError):
        state = decision.to_state
    who = f"{decision.tracking_code} \u00b7 {decision.household}" if decision.household else decision.tracking_code
    line = f"{format_wib(decision.at)} \u2014 {who} \u2014 {state}"
    if decision.reasons:
        # Dinsos's words, each with where the playbook says what to do; the code stays out of sight.
        for text, slug in decision.reasons:
            line += "\n    " + (_("{reason}: see the playbook page \"{page}\"").format(reason=text, page=slug)
                                if slug else _("{reason}: no playbook page yet").format(reason=text))
    elif decision.reason:
        line += "\n    " + decision.reason
    return line


def _list(empty_text: str) -> QListWidget:
    widget = QListWidget()
    widget.setWordWrap(True)
    widget.setProperty("emptyText", empty_text)
    return widget


def _fill(widget: QListWidget, lines: list[tuple[str, object]]) -> None:
    widget.clear()
    for text, data in lines:
        item = QListWidgetItem(text)
        item.setData(DATA_ROLE, data)
        widget.addItem(item)
    if not lines:
        item = QListWidgetItem(widget.property("emptyText"))
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        widget.addItem(item)


def save_record_pdf(prompts: Prompts, label: QLabel, view: HandoverRecordView, pdf: bytes,
                    path: str | Path | None = None, *, open_file: bool = True) -> Path | None:
    """Write a handover report's PDF where the person chooses (as the wizard does); open it if wanted."""
    if path is None:
        suggested = str(Path.home() / default_file_name(view))
        path = prompts.save_file(_("Save the handover report"), suggested, _("PDF documents (*.pdf)"))
        if path is None:
            return None
    path = Path(path)
    try:
        write_private(path, pdf)
    except OSError:
        say(label, _("The file could not be written. Choose another folder, or close the file if it is open."),
            ok=False)
        return None
    say(label, _("Saved to {path}.").format(path=str(path)), ok=True)
    if open_file:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    return path


def handover_line(view: HandoverRecordView, me: str | None) -> str:
    """From whom, when, how many items (and how many to me), the shortened fingerprint."""
    mine = sum(1 for line in view.items if line.to_operator is not None and line.to_operator == me)
    return n_("From {name}, {when}: {count} item handed over, {mine} of them to you.\n"
              "Report fingerprint: {hash}",
              "From {name}, {when}: {count} items handed over, {mine} of them to you.\n"
              "Report fingerprint: {hash}", len(view.items)).format(name=view.from_name or "-", when=format_wib(view.at),
                                                  count=len(view.items), mine=mine, hash=view.short_hash)


class HandoverNotice(QFrame):
    """One handover waiting for the signed-in person's acknowledgement, with its two actions."""

    def __init__(self, dialog: OnboardingDialog, view: HandoverRecordView) -> None:
        super().__init__()
        self.setObjectName("card")
        self._dialog = dialog
        self.view = view
        self.confirmed = False
        self.text = QLabel(handover_line(view, dialog.state.ctx.operator_id if dialog.state.ctx else None))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ack_button = QPushButton(_("I have received this handover"))
        self.ack_button.setObjectName("primary")
        self.ack_button.clicked.connect(lambda: self.acknowledge())
        self.pdf_button = QPushButton(_("Save the report as PDF ..."))
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.ack_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    def acknowledge(self) -> None:
        if self.confirmed or self._dialog.state.ctx is None:
            return
        record_id = self.view.id
        self.ack_button.setEnabled(False)
        self._dialog.state.run(lambda ctx: acknowledge(ctx, record_id), self._acknowledged, on_error=self._failed)

    def _acknowledged(self, view: HandoverRecordView) -> None:
        self.view, self.confirmed = view, True
        self.ack_button.hide()
        say(self.status, _("\u2713 You confirmed receiving this handover on {when}.").format(
            when=format_wib(view.acknowledged_at)), ok=True)
        self._dialog.handovers_changed()

    def _failed(self, error: BaseException) -> None:
        self.ack_button.setEnabled(not self.confirmed)
        say(self.status, error_text(error), ok=False)

    def save_pdf(self, path: str | Path | None = None) -> None:
        """The report as it stands now (checked first: a tampered record is refused, not printed)."""
        if self._dialog.state.ctx is None:
            return
        record_id = self.view.id

        def render(ctx: OfficeContext):
            view = record_view(ctx, record_id)
            return view, handover_pdf(view)

        def rendered(result) -> None:
            view, pdf = result
            prompts = self._dialog.prompts or Prompts(self._dialog)
            save_record_pdf(prompts, self.status, view, pdf, path, open_file=self._dialog.open_files)

        self._dialog.state.run(render, rendered, on_error=lambda e: say(self.status, error_text(e), ok=False))


class OnboardingDialog(QDialog):
    """Non-modal: the person may keep it open beside the main window while they start."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, first_time: bool = False) -> None:
        super().__init__(parent)
        self.state = state
        self.data: Onboarding | None = None
        # Made when asked (Prompts(self) would tie the dialog in a reference cycle); tests set their own.
        self.prompts: Prompts | None = None
        self.open_files = True  # tests do not launch a PDF viewer
        self.notices: list[HandoverNotice] = []
        ctx = state.ctx
        name = ctx.operator_name if ctx else ""
        self.setWindowTitle(_("My start page"))
        fit_to_screen(self, 860, 600)

        self.heading = QLabel(_("Welcome, {name}").format(name=name) if first_time else _("My start page"))
        self.heading.setObjectName("pageHeading")
        intro = QLabel(
            _("This is your first time in Usulkan at {office}. Here is what waits for you and what the office "
              "knows; you can open this page again from People \u2192 My start page.").format(
                office=ctx.office_name if ctx else "")
            if first_time else
            _("Your open work, the notes left for you, the office playbook and Dinsos's latest decisions.")
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)

        self.work = _list(_("Nothing is assigned to you yet. New work comes from the office pool."))
        self.work.itemDoubleClicked.connect(self._open_work)
        work_hint = QLabel(_("Double-click a proposal or complaint to open it."))
        work_hint.setObjectName("hint")
        work_tab = QWidget()
        work_layout = QVBoxLayout(work_tab)
        work_layout.addWidget(self.work)
        work_layout.addWidget(work_hint)

        self.notes = _list(_("No handover notes are addressed to you."))
        self.pages = _list(_("The playbook has no pages yet."))
        self.page_text = QTextBrowser()
        self.page_text.setOpenExternalLinks(False)
        self.pages.currentItemChanged.connect(self._show_page)
        split = QSplitter()
        split.addWidget(self.pages)
        split.addWidget(self.page_text)
        split.setStretchFactor(1, 2)
        self.decisions = _list(_("Dinsos has not decided on any proposal of this office yet."))

        # At the top, above everything else: handovers to this person they have not confirmed yet.
        self.handovers = QGroupBox(_("Handovers for you to confirm"))
        self.handover_hint = QLabel(_("Check the work you received (the report lists every item and note), "
                                      "then confirm that you have received it."))
        self.handover_hint.setObjectName("hint")
        self.handover_hint.setWordWrap(True)
        self.handover_error = QLabel()
        self.handover_error.setWordWrap(True)
        self.handover_error.hide()
        self.handover_list = QVBoxLayout()
        box = QVBoxLayout(self.handovers)
        box.addWidget(self.handover_hint)
        box.addLayout(self.handover_list)
        box.addWidget(self.handover_error)
        self.handovers.hide()

        self.tabs = QTabWidget()
        self.tabs.addTab(work_tab, _("My open work"))
        self.tabs.addTab(self.notes, _("Notes for me"))
        self.tabs.addTab(split, _("Office playbook"))
        self.tabs.addTab(self.decisions, _("Latest Dinsos decisions"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Start working"))
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(self.heading)
        layout.addWidget(intro)
        layout.addWidget(self.handovers)
        layout.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        if self.state.ctx is not None:
            self.state.run(awaiting_acknowledgement, self._show_handovers, on_error=self._handovers_failed)
            self.state.run(onboarding, self._show)

    def _show_handovers(self, views: list[HandoverRecordView]) -> None:
        for notice in self.notices:
            self.handover_list.removeWidget(notice)
            notice.deleteLater()
        self.notices = [HandoverNotice(self, view) for view in views]
        for notice in self.notices:
            self.handover_list.addWidget(notice)
        self.handover_error.hide()
        self.handovers_changed()

    def _handovers_failed(self, error: BaseException) -> None:
        say(self.handover_error, error_text(error), ok=False)
        self.handovers.show()

    def handovers_changed(self) -> None:
        waiting = sum(1 for notice in self.notices if not notice.confirmed)
        self.handovers.setTitle(_("Handovers for you to confirm ({count})").format(count=waiting))
        self.handovers.setVisible(bool(self.notices) or self.handover_error.isVisibleTo(self))

    def waiting_handovers(self) -> list[HandoverNotice]:
        return [notice for notice in self.notices if not notice.confirmed]

    def _show(self, data: Onboarding) -> None:
        self.data = data
        _fill(self.work, [(_work_line(item), item) for item in data.open_work])
        _fill(self.notes, [
            (f"{format_wib(note.created_at)} \u2014 {note.operator_name or '-'}\n    {note.text}", note)
            for note in data.handover_notes
        ])
        _fill(self.pages, [(page.title, page) for page in data.playbook])
        _fill(self.decisions, [(_decision_line(d), d) for d in data.dinsos_decisions])
        if data.playbook:
            self.pages.setCurrentRow(0)
        self.tabs.setTabText(0, _("My open work ({count})").format(count=len(data.open_work)))
        self.tabs.setTabText(1, _("Notes for me ({count})").format(count=len(data.handover_notes)))

    def _show_page(self, item: QListWidgetItem | None, _previous=None) -> None:
        page = item.data(DATA_ROLE) if item is not None else None
        if page is None:
            self.page_text.clear()
            return
        self.page_text.setMarkdown(page.body)

    def _open_work(self, item: QListWidgetItem) -> None:
        work = item.data(DATA_ROLE)
        key = OPENS_ON.get(getattr(work, "type", ""))
        if key is not None:
            self.state.navigate.emit(key, work.id)


def show_onboarding(state: AppState, parent: QWidget | None = None, *, first_time: bool = False) -> OnboardingDialog:
    dialog = OnboardingDialog(state, parent, first_time=first_time)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def _sign_in_check(ctx: OfficeContext) -> tuple[bool, bool]:
    """(first sign-in?, handovers waiting for this person's acknowledgement?)."""
    first = is_first_sign_in(ctx)
    try:
        waiting = bool(awaiting_acknowledgement(ctx))
    except UsulkanError as error:
        # A record that fails its checks is still theirs to know about: the start page explains it.
        log.warning("handovers awaiting acknowledgement could not be read: %s", type(error).__name__)
        waiting = True
    return first, waiting


def offer_onboarding(state: AppState, parent: QWidget | None = None, on_shown=None, *, first_run: bool = False) -> None:
    """After sign-in: open the start page on the person's first session, or while a handover waits for them.

    ``first_run``: the office was created just now (the first-run wizard); its first person has
    nothing to start from, so the start page stays closed.
    """
    if state.ctx is None or first_run:
        return

    def decided(result: tuple[bool, bool]) -> None:
        first, waiting = result
        if (first or waiting) and state.ctx is not None:
            dialog = show_onboarding(state, parent, first_time=first)
            if on_shown is not None:
                on_shown(dialog)

    def failed(error: BaseException) -> None:
        # Not worth an error box at sign-in: the start page stays reachable from People.
        log.warning("first sign-in check failed: %s", type(error).__name__)

    state.run(_sign_in_check, decided, on_error=failed)
