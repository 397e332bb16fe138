"""Hapus slot lama and Perbarui kode pemulihan, clicked through on the people page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services import lurah_handover
from app.services import office as office_service
from app.services.office import open_office, open_office_with_recovery
from app.storage.lurah_models import LurahChange
from app.storage.vault import UnknownOperator, WrongRecoveryCode
from app.ui.pages.people import PeoplePage
from app.ui.qt import Qt
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def _state(folder, ctx):
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(ctx)
    return state


def test_renewing_the_recovery_code_from_the_people_page(qtbot, qapp, created_office, fast_kdf, monkeypatch):
    monkeypatch.setattr(office_service, "_kdf", lambda kdf=None: fast_kdf)
    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    state = _state(folder, ctx)
    try:
        page = PeoplePage(state)
        qtbot.addWidget(page)
        assert not page.kept_box.isVisibleTo(page)  # nothing kept in a fresh office
        qtbot.mouseClick(page.recovery_button, Qt.MouseButton.LeftButton)
        dialog = page.dialog
        assert dialog.windowTitle() == "Perbarui kode pemulihan"
        qtbot.keyClicks(dialog.fields.passphrase, "salah sekali")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.result is None and dialog.message.isVisible()
        open_office_with_recovery(folder, created.recovery_code).close()  # a wrong passphrase changed nothing
        dialog.fields.passphrase.clear()
        qtbot.keyClicks(dialog.fields.passphrase, LURAH_PASS)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.result is not None, dialog.message.text()
        assert dialog.result.recovery_code in page.recovery_box.text()
    finally:
        live = state.ctx
        state.ctx = None
        live.close()
    with pytest.raises(WrongRecoveryCode):
        open_office_with_recovery(folder, created.recovery_code)
    open_office_with_recovery(folder, dialog.result.recovery_code).close()


def test_removing_the_kept_slot_from_the_people_page(qtbot, qapp, created_office, fast_kdf, monkeypatch):
    monkeypatch.setattr(office_service, "_kdf", lambda kdf=None: fast_kdf)
    folder, created = created_office
    operator = open_office(folder, created.operator_id, OPERATOR_PASS)  # another window: the old slot is kept
    chief = open_office(folder, created.lurah_id, LURAH_PASS)
    done = lurah_handover.change_lurah(chief, confirmation=factories.approve(chief, "rotate", lurah_handover.SUBJECT),
                                       new_name="Ibu Lurah Baru", passphrase=NEW_PASS, kdf=fast_kdf)
    chief.close()
    operator.close()
    new = open_office(folder, done.new_lurah_id, NEW_PASS)
    with new.transaction() as session:  # as a kill after the commit point leaves it: no new code yet
        change = session.scalars(select(LurahChange)).one()
        change.state, change.recovery_due = "committed", True
    state = _state(folder, new)
    try:
        page = PeoplePage(state)
        qtbot.addWidget(page)
        assert page.kept_box.isVisibleTo(page) and page.kept_box.list.item(0).text() == "Bapak Lurah"
        assert page.kept_box.recovery_line.isVisibleTo(page)
        assert page.kept_box.remove_button.text() == "Hapus slot lama\u2026"
        qtbot.mouseClick(page.kept_box.remove_button, Qt.MouseButton.LeftButton)
        dialog = page.dialog
        assert dialog.windowTitle() == "Hapus slot lama" and "Bapak Lurah" in dialog.findChild(
            type(dialog.message)).text()
        qtbot.keyClicks(dialog.fields.passphrase, LURAH_PASS)  # the old Lurah's passphrase approves nothing
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.result is None and state.ctx.vault.has_operator(created.lurah_id)
        dialog.fields.passphrase.clear()
        qtbot.keyClicks(dialog.fields.passphrase, NEW_PASS)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.result is not None, dialog.message.text()
        assert not page.kept_box.kept_part.isVisibleTo(page) and "Bapak Lurah" in page.message.text()
        assert page.kept_box.isVisibleTo(page)  # the recovery code is still due
        qtbot.mouseClick(page.recovery_button, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(page.dialog.fields.passphrase, NEW_PASS)
        qtbot.mouseClick(page.dialog.ok, Qt.MouseButton.LeftButton)
        assert page.dialog.result is not None, page.dialog.message.text()
        assert not page.kept_box.isVisibleTo(page)
    finally:
        live = state.ctx
        state.ctx = None
        live.close()
    with pytest.raises(UnknownOperator):
        open_office(folder, created.lurah_id, LURAH_PASS)
    open_office(folder, created.operator_id, OPERATOR_PASS).close()


def test_another_window_open_says_so_and_keeps_the_slot(qtbot, qapp, created_office, fast_kdf):
    folder, created = created_office
    operator = open_office(folder, created.operator_id, OPERATOR_PASS)
    chief = open_office(folder, created.lurah_id, LURAH_PASS)
    done = lurah_handover.change_lurah(chief, confirmation=factories.approve(chief, "rotate", lurah_handover.SUBJECT),
                                       new_name="Ibu Lurah Baru", passphrase=NEW_PASS, kdf=fast_kdf)
    chief.close()
    state = _state(folder, open_office(folder, done.new_lurah_id, NEW_PASS))
    try:
        page = PeoplePage(state)
        qtbot.addWidget(page)
        qtbot.mouseClick(page.kept_box.remove_button, Qt.MouseButton.LeftButton)
        dialog = page.dialog
        qtbot.keyClicks(dialog.fields.passphrase, NEW_PASS)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        # The operator's window is open: said in Indonesian, the dialog stays, nothing removed.
        assert dialog.result is None and "masih terbuka" in dialog.message.text(), dialog.message.text()
        assert state.ctx.vault.has_operator(created.lurah_id) and page.kept_box.isVisibleTo(page)
    finally:
        live = state.ctx
        state.ctx = None
        live.close()
        operator.close()


def test_the_lurahs_people_page_fits_the_office_screen(qtbot, qapp, created_office):
    """Every Lurah button shown (Indonesian labels): the main window still fits 1366 px wide."""
    from app.ui.main_window import MainWindow
    from app.ui.screen_fit import OFFICE_SCREEN

    folder, created = created_office
    state = _state(folder, open_office(folder, created.lurah_id, LURAH_PASS))
    try:
        window = MainWindow(state)
        qtbot.addWidget(window)
        page = window.show_page("people")
        assert page.recovery_button.isVisibleTo(page) and page.rotate_button.isVisibleTo(page)
        # The page beside the navigation column: its own narrowest width, not the stack's (which lets it clip).
        room = OFFICE_SCREEN[0] - window.navigation.width()
        assert page.minimumSizeHint().width() <= room, (page.minimumSizeHint().width(), room)
    finally:
        live = state.ctx
        state.ctx = None
        live.close()
