"""At the counter, a NIK pasted from a chat or a PDF (dashes, NBSP) finds the citizen; letters are refused."""

from __future__ import annotations

import pytest

from app.services.proposal_io import proposal_from_dict
from app.services.proposals import ProposalFilter, add_proposal, list_proposals
from app.ui.pages.counter import CounterPage
from app.ui.qt import QApplication, Qt
from tests.factories import HEAD_NIK, proposal_dict


def make_page(state, qtbot) -> CounterPage:
    page = CounterPage(state)
    page.open_url = lambda url: True
    qtbot.addWidget(page)
    page.show()
    return page


@pytest.mark.parametrize("pasted", ["357503\u20134708\u2013850003", "3575\u00a00347\u00a00885\u00a00003",
                                    "357503\u22124708850003", "\u200b3575034708850003"])
def test_a_pasted_nik_finds_the_citizen(app_state, qtbot, pasted):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setFocus()
    QApplication.clipboard().setText(pasted)
    page.search.paste()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(page.cards) == 1, timeout=2000)
    assert page.cards[0].status.tracking_code == summary.tracking_code


def test_a_nik_with_a_letter_says_so_instead_of_searching(app_state, qtbot):
    add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    qtbot.keyClicks(page.search, "35750347O8850003")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.cards == []
    assert page.message.text()


def test_the_proposal_search_finds_a_pasted_nik(app_state):
    add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    assert list_proposals(app_state.ctx, ProposalFilter(query="357503\u20134708\u2013850003")).total == 1
