"""The proposal editor: one window per proposal, checked as the operator types, never losing typing."""

from __future__ import annotations

from collections import defaultdict

from app.domain.validation import Issue, Report, ValidationFailed
from app.domain.workflow import Action, ProposalKind, State, allowed_actions, is_editable, state_label
from app.errors import UsulkanError
from app.i18n import N_, _
from app.services.proposal_io import InputInvalid, proposal_from_dict, proposal_to_dict
from app.services.proposals import add_proposal, get_proposal, update_proposal
from app.services.validation import check_draft
from app.ui.editor.attachments_panel import AttachmentsPanel
from app.ui.editor.autosave import Autosave
from app.ui.editor.dtsen_panel import DtsenPanel
from app.ui.editor.history_view import HistoryView
from app.ui.editor.household_section import HouseholdSection
from app.ui.editor.issues_panel import IssuesPanel
from app.ui.editor.journal_tab import JournalTab
from app.ui.editor.kind_section import KindSection
from app.ui.editor.members_table import MembersTable
from app.ui.editor.messages import ERROR_STYLE, gate, member_field
from app.ui.editor.prompts import Prompts
from app.ui.editor.workflow_panel import MAKE_PEMBARUAN, WorkflowPanel
from app.ui.qt import (
    QDialog,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPushButton,
    QScrollArea,
    QShortcut,
    Qt,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from app.ui.screen_fit import fit_to_screen
from app.ui.state import PROPOSALS, AppState

CHECK_DELAY_MS = 400  # after the last keystroke: one check per pause, not one per key
NEW_KEY = "proposal:new"


class DateNotValid(UsulkanError):
    template = N_("Write the date as DD-MM-YYYY, for example 07-08-1985.")


class ProposalEditor(QDialog):
    def __init__(self, state: AppState, proposal_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.proposal_id = proposal_id
        self._prompts = Prompts(self)
        self.detail = None
        self.dirty = False
        self._filling = False
        self._closing = False
        self._unreadable: list[tuple[int, str]] = []
        self._show_all = proposal_id is not None
        self._touched: set[str] = set()
        self._check_generation = 0
        self.last_report = Report()
        self.setWindowTitle(_("Proposal"))
        fit_to_screen(self, 1100, 720)

        self.heading = QLabel(_("New proposal"))
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.issues = IssuesPanel()
        self.issues.confirmations_changed.connect(self._confirmations_changed)
        self.workflow = WorkflowPanel(state)
        self.workflow.moved.connect(self._moved)
        self.workflow.unblock.connect(self._unblock)

        self.household = HouseholdSection()
        self.members = MembersTable()
        self.kind = KindSection()
        for section in (self.household, self.members, self.kind):
            section.edited.connect(self._edited)

        form = QWidget()
        column = QVBoxLayout(form)
        column.setSpacing(14)
        column.addWidget(self.household)
        self.dtsen = DtsenPanel(state)
        self.dtsen.use_kind.connect(self._use_dtsen_kind)
        column.addWidget(self.dtsen)
        column.addWidget(self.members, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        self.attachments = AttachmentsPanel(state)
        self.history = HistoryView()
        self.journal = JournalTab(state)
        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, _("Household and members"))
        self.tabs.addTab(self.kind, _("What is proposed"))
        self.tabs.addTab(self.attachments, _("Documents"))
        self.tabs.addTab(self.history, _("History"))
        self.tabs.addTab(self.journal, _("Journal"))

        self.status = QLabel()
        self.save_button = QPushButton(_("Save (Ctrl+S)"))
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        close = QPushButton(_("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.banner)
        layout.addWidget(self.workflow)
        layout.addWidget(self.issues)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self.check_now)
        self.autosave = Autosave(
            state, f"proposal:{proposal_id}" if proposal_id else NEW_KEY, self.payload, self._autosave_title, self,
            commit=self.members.commit_open_editor,
        )

    @property
    def prompts(self) -> Prompts:
        return self._prompts

    @prompts.setter
    def prompts(self, prompts: Prompts) -> None:
        # One set of questions for the whole window: tests answer them all in one place.
        self._prompts = self.workflow.prompts = self.attachments.prompts = prompts

    def start(self) -> None:
        """Load the proposal (or start an empty one), then offer any typing left from before."""
        if self.proposal_id is None:
            self._filling = True
            self.members.add_member()
            self.kind.set_members([])
            self._filling = False
            self.workflow.set_proposal(None, None, None, unsaved=True)
            self.autosave.offer(self._offer_restore)
        else:
            self._load(offer=True)

    # --- the form as data -----------------------------------------------------------

    def form_data(self, *, readable: bool = False) -> tuple[dict, list[Issue]]:
        """The form in the JSON form of docs/cli.md, and what cannot even be read (bad dates).

        ``readable``: a date that is not a date yet becomes "not filled in", so the rest of the
        Konsep can be checked and saved; without it the text stays as typed (for autosave).
        """
        members, bad_dates = self.members.values()
        if readable:
            for field, _raw in bad_dates:
                members[member_field(field)[0]]["birth_date"] = None
        household = dict(self.household.values())
        household["village_code"] = self._village_code()
        household["members"] = members
        data = dict(self.kind.values())
        data["household"] = household
        return data, [Issue(field, DateNotValid()) for field, _raw in bad_dates]

    def _village_code(self) -> str:
        if self.detail is not None:
            return self.detail.proposal.household.village_code
        return self.state.ctx.village_code if self.state.ctx else ""

    def fill(self, data: dict) -> None:
        self._filling = True
        try:
            household = data.get("household") or {}
            self.household.set_values(household)
            self.members.set_values(household.get("members") or [])
            self.kind.set_members(self.members.names())
            self.kind.set_values(data)
        finally:
            self._filling = False
        self._show_dtsen()

    def _show_dtsen(self, data: dict | None = None) -> None:
        """The registry's record beside what is typed (looked up again when the No. KK or a NIK changed)."""
        if data is None:
            data = self.form_data(readable=True)[0]
        self.dtsen.show_typed(data["household"], data["household"]["members"], data)

    def _use_dtsen_kind(self, kind: str) -> None:
        """The operator took the suggested kind: set it (and the registry's desil if none was typed)."""
        if self.kind.kind.isEnabled():
            self.kind.kind.setCurrentIndex(self.kind.kind.findData(kind))
        record = self.dtsen.record
        if record is not None and self.kind.desil.currentData() is None and self.kind.desil.isEnabled():
            self.kind.desil.setCurrentIndex(self.kind.desil.findData(record.desil))
        self.tabs.setCurrentWidget(self.kind)

    def payload(self) -> dict:
        """What autosave keeps: the raw form, even invalid, and the warnings already confirmed."""
        # A date that is not a date yet stays as typed (members.values keeps the raw text).
        data, _problems = self.form_data()
        return {"form": data, "confirmed": sorted(self.issues.confirmed), "touched": sorted(self._touched)}

    def _autosave_title(self) -> str:
        head = next(iter(self.members.names()), ("", ""))[1]
        base = self.detail.proposal.tracking_code if self.detail else _("New proposal")
        return f"{base} · {head}" if head else base

    # --- typing ---------------------------------------------------------------------

    def _edited(self, field: str) -> None:
        if self._filling:
            return
        self._touched.add(gate(field))
        if field.startswith("members"):
            self.kind.set_members(self.members.names())
        if not self.dirty:
            self.dirty = True
            self._update_workflow()
        self.autosave.touch()
        self.check_timer.start()

    def _confirmations_changed(self) -> None:
        if not self._filling:
            self.autosave.touch()

    def check_now(self) -> None:
        """Validate the whole form through the service (NIK clashes need the database)."""
        self.check_timer.stop()
        if self.state.ctx is None:
            return
        data, local = self.form_data(readable=True)
        self._show_dtsen(data)
        try:
            draft = proposal_from_dict(data)
        except InputInvalid as error:
            local.append(Issue(error.params.get("field", ""), error))
            self._show_report(Report(local))
            return
        self._check_generation += 1
        generation, proposal_id = self._check_generation, self.proposal_id
        self.state.run(
            lambda ctx: check_draft(ctx, draft, proposal_id),
            lambda report: generation == self._check_generation and self._show_report(Report([*local, *report])),
        )

    def _show_report(self, report: Report, summary: str = "") -> None:
        self.last_report = report
        visible: dict[str, list[Issue]] = defaultdict(list)
        for issue in report:
            if self._show_all or gate(issue.field) in self._touched:
                visible[issue.field].append(issue)
        self.household.show_issues(visible)
        self.members.show_issues(visible)
        self.kind.show_issues(visible)
        # Beside each field, and once more as one list in form order, each with its label.
        errors = [i for issues in visible.values() for i in issues if i.severity == "error"]
        warnings = [i for issues in visible.values() for i in issues if i.severity == "warning"]
        self.issues.show_report(errors, warnings, summary=summary)

    # --- saving ---------------------------------------------------------------------

    def save(self) -> None:
        """Ctrl+S: a Konsep is always saved, incomplete or with errors; the next step checks.

        What cannot be stored yet (a date that is not a date) is saved as "not filled in" and
        stays in its cell as typed, kept in autosave, so no typing is lost either way.
        """
        self._show_all = True
        self.members.commit_open_editor()
        raw, _problems = self.form_data()
        data, local = self.form_data(readable=True)
        self._show_dtsen(data)
        try:
            draft = proposal_from_dict(data)
        except InputInvalid as error:
            self._show_report(Report([Issue(error.params.get("field", ""), error)]),
                              _("Some fields still need attention; nothing was saved."))
            return
        if self.detail is not None and not is_editable(self.detail.proposal.state):
            return
        confirmed, proposal_id = set(self.issues.confirmed), self.proposal_id
        kwargs = {"confirmed_warnings": confirmed, "keep_problems": True}
        if proposal_id is None:
            fn = lambda ctx: add_proposal(ctx, draft, **kwargs)  # noqa: E731
        else:
            fn = lambda ctx: update_proposal(ctx, proposal_id, draft, **kwargs)  # noqa: E731
        self._unreadable = [
            (member_field(issue.field)[0], raw["household"]["members"][member_field(issue.field)[0]]["birth_date"])
            for issue in local
        ]
        self.status.setText(_("Saving…"))
        self.state.run(fn, self._saved, on_error=self._save_failed, changes=PROPOSALS)

    def _saved(self, summary) -> None:
        old_key = self.autosave.key
        self.autosave.discard(old_key)
        self.proposal_id = summary.id
        self.autosave.key = f"proposal:{summary.id}"
        self.dirty = False
        self.status.setText(_("Saved as Konsep. Tracking code {code}.").format(code=summary.tracking_code))
        self._load(offer=False)

    def _save_failed(self, error: BaseException) -> None:
        self.status.setText("")
        if isinstance(error, ValidationFailed):
            self._show_report(error.report, _("Nothing was saved yet: correct the marked fields, "
                                              "and tick each warning you have checked."))
        elif isinstance(error, UsulkanError):
            self.issues.show_report([], [], summary=error.message())
        else:
            self.state.failed.emit(error)

    # --- loading --------------------------------------------------------------------

    def _load(self, *, offer: bool) -> None:
        proposal_id = self.proposal_id
        self.state.run(
            lambda ctx: get_proposal(ctx, proposal_id),
            lambda detail: self._loaded(detail, offer),
            on_error=self._load_failed,
        )

    def _load_failed(self, error: BaseException) -> None:
        if isinstance(error, UsulkanError):
            self.banner.setText(error.message())
            self.banner.setStyleSheet(ERROR_STYLE)
            self.banner.show()
        else:
            self.state.failed.emit(error)

    def _loaded(self, detail, offer: bool) -> None:
        self.detail = detail
        p = detail.proposal
        self.proposal_id = str(p.id)
        self.fill(proposal_to_dict(p))
        self.dirty = False
        if self._unreadable and is_editable(p.state):
            # Stored as "not filled in"; the cell keeps what was typed, and autosave keeps it too.
            self._filling = True
            for row, text in self._unreadable:
                if row < self.members.table.rowCount():
                    self.members.set_cell(row, "birth_date", text)
            self._filling = False
            self.dirty = True
            self.autosave.touch()
        self._unreadable = []
        self._show_all = True
        self.heading.setText(
            _("Proposal {code} (version {version}) · {state}").format(
                code=p.tracking_code, version=p.version, state=state_label(p.state)
            )
        )
        self.setWindowTitle(p.tracking_code)
        editable = is_editable(p.state)
        self.household.set_read_only(not editable)
        self.members.set_read_only(not editable)
        self.kind.set_read_only(not editable, kind_locked=True)
        self.save_button.setEnabled(editable)
        if editable:
            self.banner.hide()
        else:
            revisable = Action.REVISE in allowed_actions(p.state, p.kind, "office")
            self.banner.setStyleSheet("")
            self.banner.setText(
                _("This proposal can no longer be changed ({state}).").format(state=state_label(p.state))
                + (" " + _("Make a new version to correct it.") if revisable else "")
            )
            self.banner.show()
        self.history.show_transitions(detail.transitions, detail.earlier)
        self.attachments.set_proposal(self.proposal_id)
        self.journal.set_proposal(self.proposal_id, p.household.kk_number)
        self._update_workflow()
        if editable:
            self.check_now()
        if offer and editable:
            self.autosave.offer(self._offer_restore)

    def _update_workflow(self) -> None:
        p = self.detail.proposal if self.detail else None
        self.workflow.set_proposal(
            self.proposal_id if p else None, p.state if p else None, p.kind if p else None, unsaved=self.dirty,
            proposal=p,
        )

    def _unblock(self, what: str) -> None:
        """The step the workflow panel offered to unblock a step: an usulan baru becomes a pembaruan."""
        if what != MAKE_PEMBARUAN or self.detail is None or self.detail.proposal.state is not State.DRAFT:
            return
        self.kind.kind.setEnabled(True)
        self.kind.kind.setCurrentIndex(self.kind.kind.findData(ProposalKind.PEMBARUAN.value))  # marks it edited
        self.banner.setText(_("Now an usulan pembaruan: fill in the household's changed data, then save "
                              "(Ctrl+S). After the ground check and the muskel it goes to the Dinas Sosial, "
                              "which sets the new desil."))
        self.banner.show()
        self.kind.changes.setFocus()

    def _offer_restore(self, payload: dict) -> None:
        answer = self.prompts.restore_or_discard(
            _("Unsaved typing"), _("Some typing in this form was not saved yet. Continue it?")
        )
        if answer == "discard":
            self.autosave.discard()
            return
        self.fill(payload.get("form") or {})
        self.issues.confirmed = set(payload.get("confirmed") or [])
        self._touched = set(payload.get("touched") or [])
        self.dirty = True
        self.autosave.touch()
        self._update_workflow()
        self.check_now()

    def _moved(self, result) -> None:
        """After a workflow step: follow a new version, else reload this one."""
        new_id = getattr(result, "id", None)
        if new_id and new_id != self.proposal_id:
            self.proposal_id = new_id
            self.autosave.key = f"proposal:{new_id}"
        self._load(offer=False)

    # --- closing --------------------------------------------------------------------

    def done(self, result: int) -> None:
        # Closing never loses typing: what is not saved stays in autosave, offered back next time.
        self.autosave.flush()  # takes a cell still being typed in first
        self.autosave.stop()
        self.check_timer.stop()
        if self.dirty and not self._closing:
            self._closing = True
            self.prompts.info(
                _("Typing kept as a draft"),
                _("What you typed here is not saved yet. It is kept as a draft on this computer: "
                  "open the same proposal (or a new proposal) again and choose to continue it."),
            )
        super().done(result)

    def close_quietly(self) -> None:
        """Close keeping the typing, without the notice: the app reopens it (language switch) or
        is signing out, and a message box there would only stand in the way."""
        self._closing = True
        self.close()

    @property
    def kind_value(self) -> ProposalKind:
        return self.kind.current_kind()

    @property
    def state_value(self) -> State | None:
        return self.detail.proposal.state if self.detail else None

