"""A blocked step says why before the click, with the step that unblocks it."""

from __future__ import annotations

from app.domain.workflow import Action, State
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal, get_proposal
from tests.factories import proposal_dict
from tests.fakes.editor import editor_for
from tests.fakes.prompts import Answers


def test_an_usulan_baru_without_a_desil_says_why_and_offers_a_pembaruan(app_state, qtbot):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict(desil=None)))
    editor = editor_for(app_state, qtbot, summary.id, Answers(yes=True))
    panel = editor.workflow
    # Before any click: both vouching steps are greyed out, the reason is on screen, in Indonesian.
    assert not panel.buttons[Action.SEND_TO_MUSKEL].isEnabled()
    assert not panel.buttons[Action.SEND_TO_SPTJM].isEnabled()
    assert panel.blocked.isVisibleTo(editor) and "desil" in panel.blocked.text()
    assert "usulan pembaruan" in panel.blocked.text()
    assert panel.unblock_button.isVisibleTo(editor)
    assert panel.unblock_button.text() == "Jadikan usulan pembaruan"
    # Withdrawing stays possible: only the blocked steps are greyed out.
    assert panel.buttons[Action.WITHDRAW].isEnabled()

    panel.unblock_button.click()
    assert editor.kind.current_kind().value == "pembaruan"
    assert "data yang berubah" in editor.banner.text()
    editor.kind.changes.add_change({"variable": "floor_material", "old": "ceramic_marble", "new": "earth"})
    editor.kind.changes.edited.emit("changes")
    editor.save_button.click()
    qtbot.waitUntil(lambda: not editor.dirty, timeout=3000)
    saved = get_proposal(app_state.ctx, summary.id).proposal
    assert saved.kind.value == "pembaruan" and saved.state is State.DRAFT
    assert saved.tracking_code == summary.tracking_code
    # Its own next step, nothing blocked any more.
    assert panel.buttons[Action.SEND_TO_GROUND_CHECK].isEnabled()
    assert not panel.blocked.isVisibleTo(editor) and not panel.unblock_button.isVisibleTo(editor)


def test_a_desil_too_high_names_the_programme_and_a_fitting_one_blocks_nothing(app_state, qtbot):
    high = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict(desil=9)))
    editor = editor_for(app_state, qtbot, high.id)
    assert not editor.workflow.buttons[Action.SEND_TO_MUSKEL].isEnabled()
    assert "Desil 9" in editor.workflow.blocked.text()
    assert "Desil 9" in editor.workflow.buttons[Action.SEND_TO_MUSKEL].toolTip()

    from tests.factories import household_with

    fits = add_proposal(app_state.ctx, proposal_from_dict(household_with(["3575034708850009"], kk="3575031203150009")))
    other = editor_for(app_state, qtbot, fits.id)
    assert other.workflow.buttons[Action.SEND_TO_MUSKEL].isEnabled()
    assert not other.workflow.blocked.isVisibleTo(other)


def test_a_proposal_at_dinsos_shows_no_next_step_label_with_nothing_after_it(app_state, qtbot):
    """Seen at the screen: "Langkah berikutnya:" followed by nothing on a proposal Dinsos holds."""
    from app.domain.workflow import Action, Actor
    from app.services import outbox
    from tests import factories
    from tests.fakes.editor import editor_for, muskel_ready
    from tests.fakes.prompts import Answers

    proposal_id = muskel_ready(app_state.ctx)
    outbox.queue_proposal(app_state.ctx, proposal_id)
    factories.machine_step(app_state.ctx, proposal_id, Action.SEND, Actor.SYSTEM)
    editor = editor_for(app_state, qtbot, proposal_id, Answers())
    assert editor.workflow.buttons == {}
    assert editor.workflow.note.text() == ""
