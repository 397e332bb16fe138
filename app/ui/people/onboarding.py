"""A person's start page: their open work, notes left for them, the office playbook, Dinsos's latest decisions.

Shown by itself on a person's first sign-in (known from the audit log: it holds only this one
unlock by them, see ``people.is_first_sign_in``) and at any time from the People page.
"""

from __future__ import annotations

import logging

from app.clock import format_wib
from app.domain.complaint import CATEGORY_LABELS, STATUS_LABELS, ComplaintCategory, ComplaintStatus
from app.domain.workflow import STATE_LABELS, State
from app.i18n import N_, _
from app.services.handover import Onboarding, onboarding
from app.services.people import is_first_sign_in
from app.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    Qt,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
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
    line = f"{format_wib(decision.at)} \u2014 {decision.tracking_code} \u2014 {state}"
    if decision.reason:
        line += "\n    " + decision.reason
    for code, slug in decision.playbook_pages:
        line += "\n    " + (_("Reason {code}: see the playbook page \"{page}\"").format(code=code, page=slug)
                            if slug else _("Reason {code}: no playbook page yet").format(code=code))
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


class OnboardingDialog(QDialog):
    """Non-modal: the person may keep it open beside the main window while they start."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, first_time: bool = False) -> None:
        super().__init__(parent)
        self.state = state
        self.data: Onboarding | None = None
        ctx = state.ctx
        name = ctx.operator_name if ctx else ""
        self.setWindowTitle(_("My start page"))
        self.resize(860, 600)

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
        layout.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        if self.state.ctx is not None:
            self.state.run(onboarding, self._show)

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


def offer_onboarding(state: AppState, parent: QWidget | None = None, on_shown=None) -> None:
    """After sign-in: open the start page if this is the person's first session in the office."""
    if state.ctx is None:
        return

    def decided(first: bool) -> None:
        if first and state.ctx is not None:
            dialog = show_onboarding(state, parent, first_time=True)
            if on_shown is not None:
                on_shown(dialog)

    def failed(error: BaseException) -> None:
        # Not worth an error box at sign-in: the start page stays reachable from People.
        log.warning("first sign-in check failed: %s", type(error).__name__)

    state.run(is_first_sign_in, decided, on_error=failed)
