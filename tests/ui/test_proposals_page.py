"""The proposals page: list, search, filters, and opening the editor."""

from __future__ import annotations

from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal
from app.ui.pages.proposals import ProposalsPage
from app.ui.proposal_model import ID_ROLE
from app.ui.qt import Qt
from tests.factories import HEAD_NIK, proposal_dict
from tests.fakes.prompts import Answers
from tests.ui.seed import seed_proposals


def make_page(state, qtbot) -> ProposalsPage:
    page = ProposalsPage(state)
    qtbot.addWidget(page)
    page.show()
    return page


def test_the_page_lists_proposals_and_counts_them(app_state, qtbot):
    seed_proposals(app_state.ctx, 250)
    page = make_page(app_state, qtbot)
    assert page.model.rowCount() == 250
    assert "250" in page.status.text()


def test_search_by_nik_filters_the_list(app_state, qtbot):
    seed_proposals(app_state.ctx, 50)
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setText(HEAD_NIK)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert page.model.data(page.model.index(0, 0), ID_ROLE) == summary.id


def test_the_rw_filter_and_a_change_elsewhere_refresh_the_list(app_state, qtbot):
    page = make_page(app_state, qtbot)
    assert page.model.rowCount() == 0
    add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    app_state.changed.emit("proposals")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    page.rw_filter.setText("5")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=2000)


def test_enter_on_a_row_opens_the_editor_and_a_tracking_code_opens_directly(app_state, qtbot, monkeypatch):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    # Nothing autosaved, so the editor asks nothing; answer anyway in case.
    monkeypatch.setattr("app.ui.editor.proposal_editor.Prompts", lambda parent: Answers(yes=False))
    page = make_page(app_state, qtbot)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    page._open_row(0)
    editor = page.editors[summary.id]
    assert editor.proposal_id == summary.id and editor.detail is not None
    editor.close()
    page.editors.clear()
    page.search.setText(summary.tracking_code.lower())
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.editors[summary.tracking_code.lower()].detail.proposal.tracking_code == summary.tracking_code


def test_new_item_opens_an_empty_editor(app_state, qtbot, monkeypatch):
    monkeypatch.setattr("app.ui.editor.proposal_editor.Prompts", lambda parent: Answers(yes=False))
    page = make_page(app_state, qtbot)
    editor = page.new_item()
    assert editor.proposal_id is None
    assert editor.members.table.rowCount() == 1
    editor.close()


def test_an_unsaved_form_opens_with_its_typing_put_back(app_state, qtbot, monkeypatch):
    from app.services import autosave

    answers = Answers(yes=False)  # would decline an offer: opening the form itself must not ask
    monkeypatch.setattr("app.ui.editor.proposal_editor.Prompts", lambda parent: answers)
    page = make_page(app_state, qtbot)
    editor = page.new_item()
    editor.household.inputs["address"].setText("JL. MAWAR NO. 7")
    editor.household.edited.emit("address")
    editor.close()  # closing autosaves, and says so
    assert len(answers.asked) == 1 and "konsep" in answers.asked[0]
    answers.asked.clear()
    [form] = autosave.unfinished_forms(app_state.ctx)

    reopened = page.open_item(form.key)  # what the dashboard's "Unsaved form" line asks for
    assert reopened is not editor and reopened.proposal_id is None
    assert reopened.household.inputs["address"].text() == "JL. MAWAR NO. 7"
    assert answers.asked == []
