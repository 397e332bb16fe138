"""The complaints page: register, filter, overdue in red, assign, start, resolve, close."""

from __future__ import annotations

from datetime import timedelta

from app.services.complaints import get_complaint
from app.ui.pages.complaints import OVERDUE
from tests.fakes.complaints import make_page, register


def test_register_dialog_shows_missing_fields_then_saves(app_state, qtbot):
    page = make_page(app_state, qtbot)
    dialog = page.register()
    dialog.submit()
    assert not dialog.messages["reporter_name"].isHidden()
    assert page.table.rowCount() == 0
    dialog.reporter_name.setText("IBU SITI")
    dialog.description.setPlainText("Bantuan belum diterima sejak Maret.")
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert page.table.rowCount() == 1
    assert page.current() is not None and page.current().reporter_name == "IBU SITI"


def test_the_whole_life_of_a_complaint(app_state, qtbot):
    view = register(app_state.ctx)
    page = make_page(app_state, qtbot)
    page.table.selectRow(0)
    page.do_assign()
    assert get_complaint(app_state.ctx, view.id).assigned_to is not None
    page.do_start()
    assert get_complaint(app_state.ctx, view.id).status == "diproses"
    page.do_resolve()
    assert get_complaint(app_state.ctx, view.id).status == "selesai"
    page.status_filter.setCurrentIndex(5)  # all
    page.table.selectRow(0)
    page.do_close()
    after = get_complaint(app_state.ctx, view.id)
    assert after.status == "ditutup" and after.outcome.startswith("Data sudah")


def test_overdue_complaints_are_red_and_can_be_filtered(app_state, qtbot):
    fresh = register(app_state.ctx, reporter_name="BARU SAJA")
    clock = app_state.ctx.clock
    app_state.ctx.clock = lambda: clock() - timedelta(days=30)
    try:
        old = register(app_state.ctx, reporter_name="LAMA SEKALI")
    finally:
        app_state.ctx.clock = clock
    page = make_page(app_state, qtbot)
    rows = {page.table.item(r, 2).text(): r for r in range(page.table.rowCount())}
    assert page.table.item(rows["LAMA SEKALI"], 3).foreground().color() == OVERDUE
    assert page.table.item(rows["BARU SAJA"], 3).foreground().color() != OVERDUE
    page.overdue_only.setChecked(True)
    assert [v.id for v in page.views] == [old.id]
    page.open_item(fresh.id)
    assert page.current().id == fresh.id
