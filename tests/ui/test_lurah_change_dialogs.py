"""Perbarui kunci Lurah and Ganti Lurah, clicked through on the people page."""

from __future__ import annotations

from sqlalchemy import select

from app.services import keys as office_keys
from app.services import office as office_service
from app.services.office import open_office
from app.storage.models import Operator
from app.ui.pages.people import PeoplePage
from app.ui.qt import Qt
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests.conftest import LURAH_PASS

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def _lurah_state(created_office):
    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(ctx)
    return state, ctx


def test_renewing_the_key_from_the_people_page(qtbot, qapp, created_office, fast_kdf, monkeypatch):
    monkeypatch.setattr(office_service, "_kdf", lambda kdf=None: fast_kdf)
    state, ctx = _lurah_state(created_office)
    try:
        before = office_keys.ensure_authority_key(ctx)
        page = PeoplePage(state)
        qtbot.addWidget(page)
        qtbot.mouseClick(page.rotate_button, Qt.MouseButton.LeftButton)
        dialog = page.dialog
        assert dialog.windowTitle() == "Perbarui kunci Lurah"
        qtbot.keyClicks(dialog.fields.passphrase, "salah sekali")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert office_keys.ensure_authority_key(ctx) == before and dialog.message.isVisible()
        dialog.fields.passphrase.clear()
        qtbot.keyClicks(dialog.fields.passphrase, LURAH_PASS)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.result is not None
        assert office_keys.ensure_authority_key(ctx) != before
        assert dialog.result.recovery_code in page.recovery_box.text()
    finally:
        state.ctx = None
        ctx.close()


def test_change_of_lurah_from_the_people_page(qtbot, qapp, created_office, fast_kdf, monkeypatch):
    monkeypatch.setattr(office_service, "_kdf", lambda kdf=None: fast_kdf)
    folder, _created = created_office
    state, ctx = _lurah_state(created_office)
    try:
        page = PeoplePage(state)
        qtbot.addWidget(page)
        qtbot.mouseClick(page.change_lurah_button, Qt.MouseButton.LeftButton)
        dialog = page.dialog
        assert dialog.windowTitle() == "Ganti Lurah"
        qtbot.keyClicks(dialog.name_edit, "Ibu Lurah Baru")
        qtbot.keyClicks(dialog.pass_edit, NEW_PASS)
        qtbot.keyClicks(dialog.repeat_edit, NEW_PASS)
        qtbot.keyClicks(dialog.fields.passphrase, LURAH_PASS)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.result is not None, dialog.message.text()
        with state.ctx.reading() as session:
            names = session.scalars(select(Operator.name).where(Operator.role == "lurah",
                                                                Operator.active.is_(True))).all()
        assert names == ["Ibu Lurah Baru"]
    finally:
        live = state.ctx
        state.ctx = None
        live.close()
    new = open_office(folder, dialog.result.new_lurah_id, NEW_PASS)
    try:
        assert new.operator_role == "lurah"
        office_keys.ensure_authority_key(new)
    finally:
        new.close()
