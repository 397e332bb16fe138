"""Beranda's cut-off card: the month with the 17th marked, the days left, and what must go before it."""

from __future__ import annotations

from datetime import date

import pytest

from app.ui.pages import dashboard
from app.ui.pages.dashboard import DashboardPage
from app.ui.qt import QDate

pytestmark = pytest.mark.usefixtures("_own_settings")


@pytest.fixture
def page_on(qtbot, demo_state, monkeypatch):
    def make(today: date) -> DashboardPage:
        monkeypatch.setattr(dashboard, "today_wib", lambda: today)
        page = DashboardPage(demo_state)
        qtbot.addWidget(page)
        page.show()
        return page

    return make


def test_the_card_counts_the_days_and_what_must_go(page_on):
    card = page_on(date(2026, 12, 4)).cutoff_card
    assert card.title.text() == "13 hari lagi menuju batas akhir SIKS-NG tanggal 17-12-2026."
    # The demo office: ready 2 + queued 2 to send; 2 drafts, 4 in deliberation and 1 returned to finish.
    assert "4 usulan siap atau sudah antre" in card.detail.text()
    assert "7 usulan belum selesai" in card.detail.text()
    assert (card.calendar.yearShown(), card.calendar.monthShown()) == (2026, 12)
    assert card.calendar.dateTextFormat(QDate(2026, 12, 17)).fontWeight() == 700


def test_after_the_17th_it_is_next_month_and_on_the_day_it_says_today(page_on):
    card = page_on(date(2026, 12, 20)).cutoff_card
    assert "17-01-2027" in card.title.text() and (card.calendar.monthShown(), card.calendar.yearShown()) == (1, 2027)
    assert "Hari ini batas akhir SIKS-NG" in page_on(date(2027, 1, 17)).cutoff_card.title.text()
