"""The dashboard counts the demo office's proposals by group and opens what needs attention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from app.services import complaints, demo
from app.ui import settings_store
from app.ui.pages.dashboard import DashboardPage, dinsos_state_text
from app.ui.qt import Qt
from app.ui.state import PROPOSALS


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def page(qtbot, demo_state):
    page = DashboardPage(demo_state)
    qtbot.addWidget(page)
    page.resize(1000, 800)
    page.show()
    return page


def card(page, key):
    return page.cards[key].count_label.text()


def test_counts_are_grouped_in_plain_words(page):
    assert card(page, "draft") == "2"  # a baru and a pembaruan draft
    assert card(page, "deliberation") == "4"  # ground check 1, muskel 2, sptjm 1
    assert card(page, "ready") == "4"  # ready 2, queued 2
    assert card(page, "dinsos") == "3"  # sent, received, verified
    assert card(page, "returned") == "1"
    assert card(page, "done") == "3"  # finalised, approved, forwarded
    assert page.queue_card.count_label.text() == "2"
    assert page.cards["returned"].title_label.text() == "Dikembalikan Dinsos"


def test_the_dinsos_state_is_honest(page, demo_state):
    assert page.dinsos_card.count_label.text() == "Server Dinsos belum diatur"
    from app.services.office import set_server_url

    set_server_url(demo_state.ctx, "https://dinsos.example.id")
    demo_state.changed.emit("office")
    assert page.dinsos_card.count_label.text() == "Belum pernah terhubung ke Dinsos"
    assert "belum diatur" in dinsos_state_text(None, None)


def test_clicking_a_returned_item_asks_to_open_it(qtbot, page, demo_state):
    overview = page.overview
    (returned, reason), = overview.returned
    assert reason == demo.RETURN_REASON
    item = next(i for i in page.attention_items() if i.data(Qt.ItemDataRole.UserRole) == ("proposals", returned.id))
    assert reason in item.text()

    rect = page.attention.visualItemRect(item)
    with qtbot.waitSignal(demo_state.navigate) as blocker:
        qtbot.mouseClick(page.attention.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["proposals", returned.id]


def test_an_overdue_complaint_appears_and_opens_the_complaints_page(qtbot, page, demo_state):
    ctx = demo_state.ctx
    ctx.clock = lambda: utcnow() - timedelta(days=10)  # received ten days ago: a 7-day answer is late
    try:
        view = complaints.register_complaint(
            ctx, category="bantuan_tidak_diterima", reporter_name="Warga Pelapor", description="BPNT belum cair"
        )
    finally:
        ctx.clock = utcnow
    demo_state.changed.emit("complaints")
    item = next(i for i in page.attention_items() if i.data(Qt.ItemDataRole.UserRole) == ("complaints", view.id))
    assert "Warga Pelapor" in item.text() and "lewat tenggat" in item.text()
    with qtbot.waitSignal(demo_state.navigate) as blocker:
        page.attention.itemActivated.emit(item)
    assert blocker.args == ["complaints", view.id]


def test_refreshes_when_something_changed(page, demo_state):
    from app.services import proposal_io, proposals
    from tests.factories import proposal_dict

    before = int(card(page, "draft"))
    draft = proposal_io.proposal_from_dict(proposal_dict())
    demo_state.run(
        lambda ctx: proposals.add_proposal(ctx, draft, confirmed_warnings={"nik_outside_office_region"}),
        changes=PROPOSALS,
    )
    assert int(card(page, "draft")) == before + 1
