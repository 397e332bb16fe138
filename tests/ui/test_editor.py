"""The proposal editor: messages beside the field, saving, autosave offered back, guarded steps."""

from __future__ import annotations


from app.domain.workflow import Action, State
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal, apply_action, get_proposal, list_proposals
from app.ui.qt import Qt
from tests.factories import HEAD_NIK, proposal_dict
from tests.fakes.editor import PDF, editor_for, muskel_ready, type_household
from tests.fakes.prompts import Answers

def total(state) -> int:
    return list_proposals(state.ctx).total


def test_an_invalid_nik_shows_beside_the_field_and_the_konsep_is_still_saved(app_state, qtbot):
    # Issue #9 changed this: a Konsep is saved with its errors; the next workflow step checks.
    editor = editor_for(app_state, qtbot)
    data = proposal_dict()
    data["household"]["members"][0]["nik"] = "3575034708850"  # 13 digits
    type_household(editor, data)
    qtbot.waitUntil(lambda: bool(editor.members.message_for(0, "nik")), timeout=2000)
    assert "NIK" in editor.members.message_for(0, "nik")
    assert editor.members.message.isVisible()
    editor.save()
    assert total(app_state) == 1
    assert get_proposal(app_state.ctx, editor.proposal_id).proposal.household.members[0].nik == "3575034708850"
    assert editor.members.message_for(0, "nik")


def test_a_valid_form_saves_with_ctrl_s(app_state, qtbot):
    editor = editor_for(app_state, qtbot)
    type_household(editor, proposal_dict())
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    qtbot.keyClick(editor.household.inputs["address"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.proposal_id is not None, timeout=2000)
    assert total(app_state) == 1
    detail = get_proposal(app_state.ctx, editor.proposal_id)
    assert detail.proposal.household.head.nik == HEAD_NIK
    assert editor.detail is not None and editor.dirty is False
    assert editor.history.topLevelItemCount() == 1


def test_closing_keeps_the_typing_and_reopening_offers_it(app_state, qtbot):
    editor = editor_for(app_state, qtbot)
    editor.household.inputs["address"].setText("JL. MAWAR NO. 7")
    editor.household.edited.emit("address")
    editor.members.set_cell(0, "birth_date", "31-02-19")  # not a date yet: kept as typed
    editor.close()

    answers = Answers(yes=True)
    again = editor_for(app_state, qtbot, answers=answers)
    assert answers.asked, "the editor should ask to continue the unsaved typing"
    assert again.household.inputs["address"].text() == "JL. MAWAR NO. 7"
    assert again.members.table.item(0, 4).text() == "31-02-19"
    assert total(app_state) == 0


def test_declining_the_offer_forgets_the_typing(app_state, qtbot):
    editor = editor_for(app_state, qtbot)
    editor.household.inputs["address"].setText("JL. MAWAR NO. 7")
    editor.household.edited.emit("address")
    editor.close()
    editor_for(app_state, qtbot, answers=Answers(yes=False))
    answers = Answers(yes=True)
    third = editor_for(app_state, qtbot, answers=answers)
    assert answers.asked == []
    assert third.household.inputs["address"].text() == ""


def test_queueing_asks_first_and_a_no_changes_nothing(app_state, qtbot):
    proposal_id = muskel_ready(app_state.ctx)
    answers = Answers(yes=False)
    editor = editor_for(app_state, qtbot, proposal_id, answers)
    assert Action.QUEUE in editor.workflow.buttons
    editor.workflow.buttons[Action.QUEUE].click()
    assert answers.asked and "versi baru" in answers.asked[-1]
    assert get_proposal(app_state.ctx, proposal_id).proposal.state is State.READY

    answers.yes = True
    editor.workflow.buttons[Action.QUEUE].click()
    assert get_proposal(app_state.ctx, proposal_id).proposal.state is State.QUEUED
    # Queued: read-only, and the next step offered is a new version.
    assert not editor.save_button.isEnabled()
    assert Action.REVISE in editor.workflow.buttons
    editor.workflow.buttons[Action.REVISE].click()
    assert editor.proposal_id != proposal_id
    assert editor.save_button.isEnabled()


def test_the_muskel_decision_attaches_the_minutes(app_state, qtbot, tmp_path):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    apply_action(app_state.ctx, summary.id, Action.SEND_TO_MUSKEL)
    minutes = tmp_path / "berita-acara.pdf"
    minutes.write_bytes(PDF)
    editor = editor_for(app_state, qtbot, summary.id, Answers(yes=True, path=minutes))
    editor.workflow.buttons[Action.RECORD_MUSKEL_DECISION].click()
    assert get_proposal(app_state.ctx, summary.id).proposal.state is State.READY
    qtbot.waitUntil(lambda: editor.attachments.list.count() == 1, timeout=2000)


def test_a_dropped_file_of_the_wrong_type_says_so_in_indonesian(app_state, qtbot, tmp_path):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    editor = editor_for(app_state, qtbot, summary.id)
    bad = tmp_path / "scan.docx"
    bad.write_bytes(b"PK\x03\x04 not a pdf")
    editor.attachments.attach_file(bad)
    assert not editor.attachments.error.isHidden()
    assert "PDF" in editor.attachments.error.text()
    assert editor.attachments.list.count() == 0


def test_the_lurah_records_the_sptjm_at_the_operators_desk_typing_her_passphrase(app_state, qtbot, tmp_path,
                                                                                created_office):
    """Who is signed in does not decide who acts: the SPTJM is the Lurah's, approved in the real dialog."""
    from sqlalchemy import select

    from app.storage.models import ProposalTransition
    from app.ui.editor.prompts import Prompts
    from app.ui.lurah_approval import LurahApprovalDialog
    from app.ui.qt import QApplication, QTimer
    from tests.conftest import LURAH_PASS

    ctx = app_state.ctx
    summary = add_proposal(ctx, proposal_from_dict(proposal_dict()))
    apply_action(ctx, summary.id, Action.SEND_TO_SPTJM)
    scan = tmp_path / "sptjm.pdf"
    scan.write_bytes(PDF)
    answers = Answers(yes=True, path=scan)
    editor = editor_for(app_state, qtbot, summary.id, answers)
    answers.lurah_approval = Prompts(editor).lurah_approval  # the real dialog, typed into below
    seen = []

    def type_into_dialog(passphrase: str) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, LurahApprovalDialog)
        seen.append(dialog.windowTitle())
        assert not dialog.ok.isEnabled()
        qtbot.keyClicks(dialog.fields.passphrase, passphrase)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    assert Action.RECORD_SPTJM in editor.workflow.buttons  # offered to the operator: the Lurah approves here
    QTimer.singleShot(0, lambda: type_into_dialog("kata sandi operator"))  # the operator's own: refused
    editor.workflow.buttons[Action.RECORD_SPTJM].click()
    qtbot.waitUntil(lambda: any("salah" in text.lower() for text in answers.asked), timeout=3000)
    assert get_proposal(ctx, summary.id).proposal.state is State.SPTJM
    assert editor.attachments.list.count() == 0  # nothing attached for a refused approval

    QTimer.singleShot(0, lambda: type_into_dialog(LURAH_PASS))
    editor.workflow.buttons[Action.RECORD_SPTJM].click()
    # Recorded, then the offer to queue at once (issue 9) is accepted by these answers.
    qtbot.waitUntil(lambda: get_proposal(ctx, summary.id).proposal.state is State.QUEUED, timeout=3000)
    assert seen == ["Lurah mencatat SPTJM"] * 2
    with ctx.reading() as session:
        step = session.scalars(select(ProposalTransition).where(ProposalTransition.action == "record_sptjm")).one()
    assert (step.actor, step.operator_id) == ("lurah", created_office[1].lurah_id)
