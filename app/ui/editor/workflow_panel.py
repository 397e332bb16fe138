"""The next steps a proposal may take, as buttons from the workflow table, each asking what it needs."""

from __future__ import annotations

from pathlib import Path

from app.domain import workflow
from app.domain.proposal import DesilDoesNotFit, require_desil_fits
from app.domain.workflow import DECISION_LABELS, Action, Actor, State, allowed_actions, decisions
from app.errors import UsulkanError
from app.i18n import N_, _, sentence_case
from app.services import lurah as lurah_service
from app.services import outbox
from app.services.attachments import attach_to_proposal
from app.services.muskel import record_decisions
from app.services.proposals import apply_action, new_version
from app.ui.editor.attachments_panel import read_limited
from app.ui.editor.prompts import DOCUMENT_FILTER, Prompts
from app.ui.editor.return_reasons import ReturnReasonsBox
from app.ui.qt import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget, Signal
from app.ui.state import ATTACHMENTS, PROPOSALS, AppState

# Clearer words than the table's labels for the steps people hesitate over.
BUTTON_LABELS = {
    Action.QUEUE: N_("Put in the send queue"),
    Action.REVISE: N_("Make a new version"),
    Action.RECORD_MUSKEL_DECISION: N_("Record the muskel decision…"),
    Action.RECORD_SPTJM: N_("Record the signed SPTJM…"),
    Action.RECORD_GROUND_CHECK: N_("Record the ground check…"),
    Action.WITHDRAW: N_("Withdraw…"),
    Action.BACK_TO_DRAFT: N_("Back to draft…"),
}
HIDDEN = {Action.EDIT}


# What unblocks a step, as a button beside the reason (the editor does it when asked).
MAKE_PEMBARUAN = "make_pembaruan"


def blocked_reason(proposal, action: Action) -> tuple[str, str | None] | None:
    """Why ``action`` cannot be taken on the saved ``proposal`` now, and what unblocks it; None if it can.

    Asked before the click, from the same checks the step itself makes (proposal.advance).
    """
    if proposal is None or workflow.Guard.DESIL_FITS not in workflow.guards(proposal.state, proposal.kind, action):
        return None
    try:
        require_desil_fits(proposal.desil, proposal.programmes)
    except DesilDoesNotFit as error:
        # Without a fitting desil the household needs its DTSEN data updated first: an usulan pembaruan.
        return error.message(), MAKE_PEMBARUAN
    except UsulkanError as error:
        return error.message(), None
    return None


class WorkflowPanel(QWidget):
    moved = Signal(object)  # the ProposalSummary after the step (a new version for REVISE)
    unblock = Signal(str)  # the operator asked for what unblocks a step (MAKE_PEMBARUAN)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._prompts = Prompts(self)
        self.proposal_id: str | None = None
        self.current: tuple[State, workflow.ProposalKind] | None = None
        self.buttons: dict[Action, QPushButton] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.row = QHBoxLayout()
        self.note = QLabel()
        self.row.addWidget(self.note)
        self.row.addStretch(1)
        column.addLayout(self.row)
        # A blocked step says why before anyone clicks it, with the step that unblocks it.
        self.blocked = QLabel()
        self.blocked.setWordWrap(True)
        self.blocked.setObjectName("warning")
        self.unblock_button = QPushButton(_("Make it an usulan pembaruan"))
        self.unblock_button.clicked.connect(lambda: self.unblock.emit(MAKE_PEMBARUAN))
        blocked_row = QHBoxLayout()
        blocked_row.addWidget(self.blocked, 1)
        blocked_row.addWidget(self.unblock_button)
        column.addLayout(blocked_row)
        self.blocked.hide()
        self.unblock_button.hide()
        # A proposal Dinsos returned: its reasons, each linked to the office playbook's page on it.
        self.reasons = ReturnReasonsBox(state, self._prompts)
        column.addWidget(self.reasons)

    @property
    def prompts(self) -> Prompts:
        return self._prompts

    @prompts.setter
    def prompts(self, prompts: Prompts) -> None:
        self._prompts = self.reasons.prompts = prompts

    def actions_for(self, state: State, kind) -> list[Action]:
        """The office's steps, and the Lurah's (the SPTJM): the Lurah approves those with her passphrase,
        at her own desk or at the operator's, so the button is there for whoever is signed in."""
        found = [a for a in allowed_actions(state, kind, Actor.OFFICE) if a not in HIDDEN]
        found += [a for a in allowed_actions(state, kind, Actor.LURAH) if a not in set(found) | HIDDEN]
        return found

    def set_proposal(
        self, proposal_id: str | None, state: State | None, kind, *, unsaved: bool, proposal=None
    ) -> None:
        """The steps for the saved proposal; given ``proposal`` (as saved), blocked ones say why."""
        for button in self.buttons.values():
            self.row.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        self.proposal_id = proposal_id
        self.reasons.set_proposal(proposal_id, state)
        self.blocked.hide()
        self.unblock_button.hide()
        if proposal_id is None or state is None:
            self.note.setText(_("Save the proposal to take the next step."))
            return
        self.current = (State(state), kind)
        self.note.setText(_("Save your changes first (Ctrl+S).") if unsaved else _("Next step:"))
        reasons: list[str] = []
        for action in self.actions_for(State(state), kind):
            label = _(BUTTON_LABELS[action]) if action in BUTTON_LABELS else sentence_case(workflow.action_label(action))
            button = QPushButton(label)
            why = None if unsaved else blocked_reason(proposal, action)
            button.setEnabled(not unsaved and why is None)
            if why is not None:
                text, fix = why
                button.setToolTip(text)
                if text not in reasons:
                    reasons.append(text)
                if fix == MAKE_PEMBARUAN and proposal is not None and proposal.version == 1:
                    self.unblock_button.show()
            button.clicked.connect(lambda _c=False, a=action: self.take(a))
            self.row.insertWidget(self.row.count() - 1, button)
            self.buttons[action] = button
        if not self.buttons:
            self.note.setText("")  # nothing is the office's to do now: no "Next step:" with nothing after it
        if reasons:
            lead = _("Taking it to the muskel or asking for an SPTJM is not possible yet:")
            self.blocked.setText(" ".join([lead, *reasons]))
            self.blocked.show()

    # --- steps ----------------------------------------------------------------------

    def take(self, action: Action) -> None:
        """Ask what the step needs, then take it through the service (as whoever is signed in)."""
        proposal_id = self.proposal_id
        if proposal_id is None or self.current is None:
            return
        state, kind = self.current
        if action is Action.QUEUE:
            if not self.prompts.confirm(
                _("Put in the send queue"),
                _("Once queued, the proposal can no longer be changed: a correction will need a new "
                  "version. Put it in the send queue?"),
                yes=_("Put in the send queue"),
            ):
                return
            # Through the outbox: the state and the item that will really be sent, together.
            self._run(lambda ctx: outbox.queue_proposal(ctx, proposal_id))
        elif action is Action.REVISE:
            self._run(lambda ctx: new_version(ctx, proposal_id))
        elif action is Action.RECORD_MUSKEL_DECISION:
            choices = [(d, _(DECISION_LABELS[d])) for d in decisions(state, kind, action)]
            answer = self.prompts.choice_and_file(_("Record the muskel decision"), choices)
            if answer is None:
                return
            decision, path = answer
            self._run(
                lambda ctx: record_decisions(ctx, {proposal_id: decision}, path.name, read_limited(path)),
                attachments=True,
            )
        elif action in (Action.RECORD_SPTJM, Action.RECORD_GROUND_CHECK):
            self._with_document(action, proposal_id)
        elif workflow.REASON in workflow.required_data(state, kind, action):
            reason = self.prompts.text(
                sentence_case(workflow.action_label(action)),
                _("Why? This is kept in the proposal's history."),
            )
            if reason is not None:
                self._run(lambda ctx: apply_action(ctx, proposal_id, action, reason=reason))
        else:
            self._run(lambda ctx: apply_action(ctx, proposal_id, action))

    def _with_document(self, action: Action, proposal_id: str) -> None:
        sptjm = action is Action.RECORD_SPTJM
        path: Path | None = self.prompts.open_file(
            _("Choose the signed SPTJM") if sptjm else _("Choose the ground-check form"), DOCUMENT_FILTER
        )
        if path is None:
            return
        kind, key = ("sptjm", workflow.SPTJM_DOCUMENT) if sptjm else ("ground_check", workflow.GROUND_CHECK_RESULT)
        approval = None
        if sptjm:
            # The SPTJM is the Lurah's statement: she approves it now, whoever is signed in.
            approval = self.prompts.lurah_approval(
                _("The Lurah records the SPTJM"),
                _("By recording it, the Lurah takes absolute responsibility for this proposal ({file}). "
                  "The history records the Lurah as the one who did it.").format(file=path.name),
                needs_code=lurah_service.needs_code(self.state.ctx), approve=_("Record the SPTJM"),
            )
            if approval is None:
                return

        def step(ctx):
            confirmation = None
            if approval is not None:
                # Checked before anything is attached: a wrong passphrase leaves the proposal untouched.
                confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.SPTJM,
                                                     subject=proposal_id, totp_code=approval.totp_code)
            info = attach_to_proposal(ctx, proposal_id, kind=kind, filename=path.name, data=read_limited(path))
            return apply_action(ctx, proposal_id, action, data={key: info.id}, confirmation=confirmation)

        self._run(step, attachments=True, then=self._offer_queue if sptjm else None)

    def _offer_queue(self, summary) -> None:
        """The SPTJM is recorded and the proposal ready: the usual next step, offered at once."""
        if getattr(summary, "state", None) != State.READY.value:
            return
        if self.prompts.confirm(
            _("Put in the send queue"),
            _("The SPTJM is recorded and the proposal is ready to send. Put it in the send queue now? Once "
              "queued, it can no longer be changed: a correction will need a new version."),
            yes=_("Put in the send queue"),
        ):
            self._run(lambda ctx: outbox.queue_proposal(ctx, summary.id))

    def _run(self, fn, *, attachments: bool = False, then=None) -> None:
        def done(summary):
            if attachments:
                self.state.changed.emit(ATTACHMENTS)
            self.moved.emit(summary)
            if then is not None:
                then(summary)

        self.state.run(fn, done, on_error=self._failed, changes=PROPOSALS)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, UsulkanError):
            self.prompts.error(error.message())
        elif isinstance(error, OSError):
            self.prompts.error(_("The file could not be read. Check that it still exists and is not open elsewhere."))
        else:
            self.state.failed.emit(error)
