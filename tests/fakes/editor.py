"""Driving the proposal editor and its neighbours as the operator would: open, type, a proposal made ready."""

from __future__ import annotations

from app.domain.workflow import Action
from app.services.muskel import record_decisions
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal, apply_action
from app.ui.editor.proposal_editor import ProposalEditor
from tests.factories import proposal_dict
from tests.fakes.prompts import Answers
from tests.fakes.sync_world import PDF

__all__ = ["PDF", "editor_for", "muskel_ready", "type_household"]


def editor_for(state, qtbot, proposal_id=None, answers=None) -> ProposalEditor:
    editor = ProposalEditor(state, proposal_id)
    editor.prompts = answers or Answers(yes=False)
    qtbot.addWidget(editor)
    editor.start()
    editor.show()
    return editor


def type_household(editor: ProposalEditor, data: dict) -> None:
    """Fill the form as the operator would, field by field (every edit is 'touched')."""
    household = data["household"]
    for name in ("kk_number", "address", "rt", "rw"):
        editor.household.inputs[name].setText(household[name])
        editor.household.edited.emit(name)
    members = editor.members
    for row, member in enumerate(household["members"]):
        if row >= members.table.rowCount():
            members.add_member()
        for name in ("nik", "name", "sex", "birth_place", "relationship", "mother_name"):
            members.set_cell(row, name, member[name])
        y, m, d = member["birth_date"].split("-")
        members.set_cell(row, "birth_date", f"{d}-{m}-{y}")
    for code, box in editor.kind.programmes.items():
        box.setChecked(code in data["programmes"])
    editor.kind.desil.setCurrentIndex(editor.kind.desil.findData(data["desil"]))


def muskel_ready(ctx) -> str:
    """A proposal the musyawarah found eligible, with its minutes: READY; returns its id."""
    summary = add_proposal(ctx, proposal_from_dict(proposal_dict()))
    apply_action(ctx, summary.id, Action.SEND_TO_MUSKEL)
    record_decisions(ctx, {summary.id: "eligible"}, "ba.pdf", PDF)
    return summary.id


# The typing tests' editor: shown, active, its questions answered without a modal loop.
class TypingAnswers:
    """Answers the editor's questions without a modal loop; records what it was told."""

    def __init__(self, restore: str = "continue") -> None:
        self.restore_answer = restore
        self.asked: list[str] = []

    def restore_or_discard(self, title, text):
        self.asked.append(text)
        return self.restore_answer

    def confirm(self, title, text, *, yes=None):
        self.asked.append(text)
        return False

    def info(self, title, text):
        self.asked.append(text)

    def error(self, text):
        self.asked.append(text)


def open_editor(state, qtbot, answers=None) -> ProposalEditor:
    editor = ProposalEditor(state)
    editor.prompts = answers or TypingAnswers()
    qtbot.addWidget(editor)
    editor.start()
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    return editor
