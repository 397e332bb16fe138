"""A new, unsaved proposal keeps one autosave slot per operator: replaced on each tick, gone once saved, offered back once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.services import autosave
from app.storage.models import FormDraft, Proposal
from app.ui.editor.proposal_editor import NEW_KEY
from app.ui.pages.proposals import ProposalsPage
from tests.factories import proposal_dict
from tests.fakes.editor import editor_for, type_household
from tests.fakes.prompts import Answers


def slots(ctx) -> list[tuple[str, str]]:
    with ctx.reading() as session:
        return [(row.operator_id, row.key) for row in session.scalars(select(FormDraft)).all()]


def proposals(ctx) -> int:
    with ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(Proposal))


def type_address(editor, text: str) -> None:
    editor.household.inputs["address"].setText(text)
    editor.household.edited.emit("address")


def test_every_autosave_of_a_new_proposal_replaces_the_same_slot(app_state, qtbot):
    editor = editor_for(app_state, qtbot)
    for n in range(5):  # five timer ticks with typing in between
        type_address(editor, f"JL. MAWAR NO. {n}")
        editor.autosave.flush()
    assert slots(app_state.ctx) == [(app_state.ctx.operator_id, NEW_KEY)]
    assert proposals(app_state.ctx) == 0  # autosave never makes a draft proposal
    assert autosave.load_form(app_state.ctx, NEW_KEY)["form"]["household"]["address"] == "JL. MAWAR NO. 4"
    editor.autosave.flush()  # nothing typed since: nothing written
    assert len(slots(app_state.ctx)) == 1


def test_saving_the_new_proposal_removes_its_slot(app_state, qtbot):
    editor = editor_for(app_state, qtbot)
    type_household(editor, proposal_dict())
    type_address(editor, "JL. MAWAR NO. 7")
    editor.autosave.flush()
    assert slots(app_state.ctx) == [(app_state.ctx.operator_id, NEW_KEY)]
    editor.save()
    assert editor.proposal_id is not None
    assert slots(app_state.ctx) == []
    editor.close()  # closing a saved, unchanged proposal keeps nothing either
    assert slots(app_state.ctx) == []


def test_typing_left_by_a_crash_is_offered_once(app_state, qtbot):
    crashed = editor_for(app_state, qtbot)
    type_household(crashed, proposal_dict())
    crashed.autosave.flush()
    crashed.autosave.stop()  # the process died here: no close, no save
    crashed.autosave.dirty = False

    answers = Answers(yes=True)
    again = editor_for(app_state, qtbot, answers=answers)
    assert len(answers.asked) == 1
    assert again.household.inputs["address"].text() == proposal_dict()["household"]["address"]
    again.save()
    assert again.proposal_id is not None and slots(app_state.ctx) == []

    later = Answers(yes=True)
    editor_for(app_state, qtbot, answers=later)
    assert later.asked == []  # offered once, saved, gone


def test_new_after_saving_a_new_proposal_gives_an_empty_form(app_state, qtbot, monkeypatch):
    monkeypatch.setattr("app.ui.editor.proposal_editor.Prompts", lambda parent: Answers(yes=False))
    page = ProposalsPage(app_state)
    qtbot.addWidget(page)
    page.show()
    first = page.new_item()
    type_household(first, proposal_dict())
    first.save()
    assert first.proposal_id is not None
    second = page.new_item()
    assert second is not first and second.proposal_id is None
    assert page.open_item(first.proposal_id) is first  # the saved one is found under its id
    for editor in (first, second):
        editor.close()
