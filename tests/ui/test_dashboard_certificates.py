"""Certificates near their end are on the dashboard weeks before, for the Lurah and for the person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.ui.pages.dashboard import DashboardPage
from tests.fakes.sync_world import FakeDinsos, link_office

pytestmark = pytest.mark.usefixtures("_own_settings")

SECTION = "Sertifikat penandatanganan akan berakhir"


@pytest.fixture
def certified(lurah_state, office):
    """Ani's certificate, issued for a year when the office is linked; returns the moment it was issued."""
    dinsos = FakeDinsos()
    link_office(lurah_state.ctx, office, dinsos, dinsos.document())
    return lurah_state.ctx.clock()


def make_page(qtbot, state) -> DashboardPage:
    page = DashboardPage(state)
    qtbot.addWidget(page)
    page.show()
    return page


def lines(page) -> list[str]:
    return [page.attention.item(i).text().strip() for i in range(page.attention.count())]


def test_nothing_is_said_while_the_certificate_has_months_left(qtbot, lurah_state, certified):
    lurah_state.ctx.clock = lambda: certified + timedelta(days=300)
    page = make_page(qtbot, lurah_state)
    assert not any(SECTION in line for line in lines(page))


def test_the_lurah_sees_whose_certificate_ends_and_goes_to_renew_it(qtbot, lurah_state, certified, office):
    lurah_state.ctx.clock = lambda: certified + timedelta(days=345)
    page = make_page(qtbot, lurah_state)
    shown = lines(page)
    assert shown[0] == f"{SECTION} (1)"  # first: an ended certificate stops the office sending
    assert shown[1].startswith("Ani Operator: sertifikat berakhir pada ")
    assert shown[1].endswith("perpanjang di halaman Petugas")

    opened = []
    lurah_state.navigate.connect(lambda key, item: opened.append((key, item)))
    [row] = [item for item in page.attention_items() if "Ani Operator" in item.text()]
    page._open(row)
    assert opened == [("people", office.operator_id)]


def test_the_operator_sees_their_own_ended_certificate(qtbot, app_state, lurah_state, certified):
    app_state.ctx.clock = lambda: certified + timedelta(days=400)
    page = make_page(qtbot, app_state)
    [line] = [text for text in lines(page) if text.startswith("Ani Operator:")]
    assert "ditolak Dinsos" in line and line.endswith("minta Lurah memperpanjangnya")
