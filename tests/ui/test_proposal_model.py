"""The proposal list model: total known at once, pages fetched only when looked at, sorting re-queries."""

from __future__ import annotations

from app.i18n import _
from app.ui.proposal_model import ID_ROLE, PAGE, ProposalTableModel
from app.ui.qt import Qt
from tests.ui.seed import seed_proposals


def test_first_page_gives_the_total_and_row_zero(app_state):
    ids = seed_proposals(app_state.ctx, 1000)
    model = ProposalTableModel(app_state)
    model.refresh()
    assert model.rowCount() == 1000
    # Newest first by default: the last seeded proposal is row 0.
    assert model.data(model.index(0, 0), ID_ROLE) == ids[-1]
    assert model.data(model.index(0, 0)) == "T000000999"
    assert model.is_loaded(PAGE - 1) and not model.is_loaded(PAGE)


def test_a_later_row_shows_a_placeholder_then_its_page(app_state, qtbot):
    ids = seed_proposals(app_state.ctx, 1000)
    model = ProposalTableModel(app_state)
    model.refresh()
    row = 750
    assert model.data(model.index(row, 0)) == _("Loading…")
    qtbot.waitUntil(lambda: model.is_loaded(row), timeout=2000)
    assert model.data(model.index(row, 0), ID_ROLE) == ids[1000 - 1 - row]
    assert model.data(model.index(row, 0)) == f"T{999 - row:09d}"
    # Only the pages looked at were fetched.
    assert not model.is_loaded(400)


def test_sorting_by_a_header_requeries(app_state):
    seed_proposals(app_state.ctx, 300)
    model = ProposalTableModel(app_state)
    model.refresh()
    model.sort(0, Qt.SortOrder.AscendingOrder)  # tracking code
    assert model.data(model.index(0, 0)) == "T000000000"
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 0)) == "T000000299"
    model.sort(1, Qt.SortOrder.AscendingOrder)  # head name: not sortable, order kept
    assert model.data(model.index(0, 0)) == "T000000299"


def test_pages_come_from_the_worker_thread(threaded_state, qtbot):
    seed_proposals(threaded_state.ctx, 500)
    model = ProposalTableModel(threaded_state)
    with qtbot.waitSignal(model.total_changed, timeout=5000):
        model.refresh()
    assert model.rowCount() == 500
    model.data(model.index(450, 0))
    qtbot.waitUntil(lambda: model.is_loaded(450), timeout=5000)
    assert model.data(model.index(450, 0)) == "T000000049"
