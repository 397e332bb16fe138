"""Clicking "Lurah lama tidak ada" through to the key a real Dinsos server stores."""

from __future__ import annotations

from sqlalchemy import select

from app.clock import utcnow
from app.server.models import Office as ServerOffice
from app.server.provisioning import register_office
from app.server.rebind import issue_rebind_code
from app.services import keys as office_keys
from app.services import outbox, provisioning, sync
from app.services.office import open_office
from app.storage.models import Operator
from app.sync.transport_http import HttpTransport
from app.ui.pages.people import PeoplePage
from app.ui.qt import Qt
from tests.conftest import LURAH_PASS
from tests.fakes.sync_world import queue_ready

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def _type(qtbot, edit, text):
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_the_dialog_registers_the_new_lurah_at_the_real_server(qtbot, server, app_state, created_office, fast_kdf,
                                                               monkeypatch):
    server_ctx, url = server
    folder, created = created_office
    chief = open_office(folder, created.lurah_id, LURAH_PASS)
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(chief, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(chief, transport)
    office_keys.certify_operator(chief, app_state.ctx.operator_id)
    chief.close()
    queue_ready(app_state.ctx, 91)
    outbox.build_batches(app_state.ctx)
    sync.send_pending(app_state.ctx, transport, now=utcnow())
    code, _ = issue_rebind_code(server_ctx, document["office_id"], actor="staff:admin")

    from app.services import office as office_service

    monkeypatch.setattr(office_service, "_kdf", lambda kdf=None: fast_kdf)
    page = PeoplePage(app_state)
    qtbot.addWidget(page)
    qtbot.mouseClick(page.rebind_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog.windowTitle() == "Lurah lama tidak ada"
    _type(qtbot, dialog.code_edit, code)
    _type(qtbot, dialog.name_edit, "Ibu Lurah Baru")
    _type(qtbot, dialog.pass_edit, NEW_PASS)
    _type(qtbot, dialog.repeat_edit, NEW_PASS + "x")
    qtbot.mouseClick(dialog.go_button, Qt.MouseButton.LeftButton)
    assert dialog.result_value is None and dialog.feedback.text()  # the mismatch is said, nothing sent
    _type(qtbot, dialog.repeat_edit, NEW_PASS)
    qtbot.mouseClick(dialog.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    assert dialog.recovery.isVisible() and dialog.result_value.recovery_code in dialog.recovery.text()
    assert "Dinsos sudah mendaftarkan" in dialog.feedback.text()

    with app_state.ctx.reading() as session:
        lurah = session.scalars(select(Operator).where(Operator.role == "lurah", Operator.active.is_(True))).one()
    new_lurah = open_office(folder, lurah.id, NEW_PASS)
    try:
        with server_ctx.reading() as session:
            stored = session.get(ServerOffice, document["office_id"]).authority_public_key
        assert stored == office_keys.ensure_authority_key(new_lurah)
    finally:
        new_lurah.close()
