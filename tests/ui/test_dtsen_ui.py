"""DTSEN in the desktop: "Impor data DTSEN" in Pengaturan, and the editor's registry panel as the operator types."""

from __future__ import annotations

import json

import pytest

from app.clock import utcnow
from app.server import dtsen as server_dtsen
from app.services import dtsen
from app.sync.canonical import canonical_bytes
from app.ui.pages.settings_dtsen import DtsenBox
from app.ui.qt import QFileDialog, Qt
from tests.fakes.by_file import file_only_server, link_by_file
from tests.fakes.editor import open_editor

HEADER = "dtsen_id,no_kk,desil,programmes,nik,name\n"
KK = "3575031009000001"
FIRST = [f"D-1,{KK},2,PKH;BPNT,3575031009000101,Siti Aminah", f"D-1,{KK},2,PKH;BPNT,3575031009000102,Budi Santoso",
         "D-2,3575031009000002,6,,3575031009000201,Wati"]
SECOND = ["D-2,3575031009000002,3,PBI-JK,3575031009000201,Wati", "D-3,3575031009000003,1,,3575031009000301,Ani"]


@pytest.fixture
def server(tmp_path):
    ctx = file_only_server(tmp_path / "dinsos")
    yield ctx
    ctx.close()


@pytest.fixture
def publish(server, lurah, tmp_path):
    office_id = link_by_file(server, lurah, tmp_path / "usb")

    def made(rows):
        server_dtsen.import_extract(server, office_id, (HEADER + "\n".join(rows) + "\n").encode())
        publication = server_dtsen.publish(server, office_id)
        path = tmp_path / "usb" / publication.name
        path.write_bytes(publication.data)
        return path

    return made


def _click_import(qtbot, box, monkeypatch, paths):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], ""))
    qtbot.mouseClick(box.import_button, Qt.MouseButton.LeftButton)


def test_import_by_clicking_shows_the_version_and_what_changed(qtbot, app_state, office, publish, monkeypatch,
                                                               tmp_path):
    box = DtsenBox(app_state)
    qtbot.addWidget(box)
    box.show()
    assert "Belum ada data DTSEN" in box.status.text()
    paths = [publish(FIRST), publish(SECOND)]
    _click_import(qtbot, box, monkeypatch, paths)
    assert "versi 2" in box.message.text() and "versi 2" in box.status.text()
    shown = {(box.changes.item(r, 0).text(), box.changes.item(r, 2).text()) for r in range(box.changes.rowCount())}
    assert shown == {("3575031009000003", "baru di DTSEN"), (KK, "keluar dari DTSEN"),
                     ("3575031009000002", "desil berubah")}
    # A package whose manifest was changed: refused in Indonesian, the office keeps version 2.
    obj = json.loads(paths[1].read_bytes())
    obj["manifest"]["version"] = 7
    forged = tmp_path / "forged.usulkan-dtsen"
    forged.write_bytes(canonical_bytes(obj))
    _click_import(qtbot, box, monkeypatch, [forged])
    assert "tidak diimpor" in box.message.text() and "tidak ditandatangani" in box.message.text()
    assert dtsen.status(office).version == 2 and box.changes.rowCount() == 3
    box.max_desil.setValue(3)
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    assert dtsen.max_desil(office) == 3 and "desil 1 sampai 3" in box.message.text()


def test_typing_a_no_kk_shows_the_registry_beside_the_typing_and_the_route(qtbot, app_state, office, publish):
    dtsen.import_files(office, [publish(FIRST)], now=utcnow())
    editor = open_editor(app_state, qtbot)
    panel = editor.dtsen
    assert not panel.table.isVisible()
    kk = editor.household.inputs["kk_number"]
    kk.setFocus()
    qtbot.keyClicks(kk, KK)
    qtbot.waitUntil(panel.table.isVisible, timeout=3000)
    rows = {panel.table.item(r, 0).text(): (panel.table.item(r, 1).text(), panel.table.item(r, 2).text())
            for r in range(panel.table.rowCount())}
    assert rows["Desil"] == ("", "2")  # the registry's desil, beside the empty one typed
    assert rows["Anggota 3575031009000101"] == ("(tidak diketik)", "Siti Aminah")
    assert "desil 2" in panel.summary.text() and "D-1" in panel.summary.text()
    assert "Desil" in panel.differing_rows() and "No. KK" not in panel.differing_rows()
    # The route is explained before the click; the click sets the kind and the registry's desil.
    assert panel.route.isVisible() and "usulan baru" in panel.route.text() and "desil 1 sampai 4" in panel.route.text()
    qtbot.mouseClick(panel.use_button, Qt.MouseButton.LeftButton)
    assert editor.kind.current_kind().value == "baru" and editor.kind.desil.currentData() == 2
    assert editor.tabs.currentWidget() is editor.kind
    editor.check_now()
    assert "Desil" not in panel.differing_rows()


def test_above_the_limit_the_editor_suggests_an_update(qtbot, app_state, office, publish):
    dtsen.import_files(office, [publish(FIRST)], now=utcnow())
    editor = open_editor(app_state, qtbot)
    kk = editor.household.inputs["kk_number"]
    kk.setFocus()
    qtbot.keyClicks(kk, "3575031009000002")
    qtbot.waitUntil(editor.dtsen.route.isVisible, timeout=3000)
    assert "usulan pembaruan" in editor.dtsen.route.text() and "Desil 6" in editor.dtsen.route.text()
    qtbot.mouseClick(editor.dtsen.use_button, Qt.MouseButton.LeftButton)
    assert editor.kind.current_kind().value == "pembaruan"


def test_stale_data_is_shown_with_a_warning_not_blocked(qtbot, app_state, office, publish, monkeypatch):
    from datetime import timedelta

    from app.ui.editor import dtsen_panel

    dtsen.import_files(office, [publish(FIRST)], now=utcnow())
    monkeypatch.setattr(dtsen_panel, "utcnow", lambda: utcnow() + timedelta(days=200))
    editor = open_editor(app_state, qtbot)
    kk = editor.household.inputs["kk_number"]
    kk.setFocus()
    qtbot.keyClicks(kk, KK)
    qtbot.waitUntil(editor.dtsen.table.isVisible, timeout=3000)
    assert "desil 2" in editor.dtsen.summary.text() and "mungkin sudah tidak mutakhir" in editor.dtsen.summary.text()
    assert editor.dtsen.use_button.isVisible()
