"""Settings' backup section: the chosen folder is used, Back up now makes a backup that opens, Check health shows."""

from __future__ import annotations

import pytest

from app.services import backup
from app.storage import backup_files
from app.ui import settings_store
from app.ui.pages.settings import SettingsPage
from app.ui.qt import QFileDialog, Qt


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def page(qtbot, app_state, fast_kdf):
    app_state.ctx.kdf = fast_kdf  # the cost a passphrase set here is sealed with
    page = SettingsPage(app_state)
    qtbot.addWidget(page)
    page.show()
    return page


def test_back_up_now_writes_to_the_chosen_folder_and_the_copy_opens(qtbot, page, app_state, tmp_path, monkeypatch):
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
    page.choose_backup_folder()
    assert backup.configured_folder(app_state.ctx.folder) == stick  # the office itself knows, not only this PC
    seen = []
    page.backup_box.progress.valueChanged.connect(seen.append)
    qtbot.mouseClick(page.backup_box.back_up_button, Qt.MouseButton.LeftButton)
    [made] = backup.list_backups(stick, thorough=True)
    assert made.path.parent == stick
    assert backup_files.check_database(made.path / made.database, app_state.ctx.data_key) is not None
    assert "sudah diperiksa" in page.backup_box.status.text()
    assert seen and seen[-1] == 100
    assert page.backup_box.back_up_button.isEnabled()


def test_a_missing_stick_is_said_in_indonesian(qtbot, page, app_state, tmp_path):
    page.choose_backup_folder(str(tmp_path / "not-plugged-in"))
    qtbot.mouseClick(page.backup_box.back_up_button, Qt.MouseButton.LeftButton)
    assert "tidak dapat dijangkau" in page.backup_box.status.text()
    assert backup.list_backups(tmp_path / "not-plugged-in") == []


def test_check_health_lists_every_check(qtbot, page):
    qtbot.mouseClick(page.backup_box.health_button, Qt.MouseButton.LeftButton)
    dialog = page.backup_box.health_dialog
    qtbot.addWidget(dialog)
    codes = [c.code for c in dialog.checks]
    assert {"database", "audit", "outbox", "backup", "disk"} <= set(codes)
    assert dialog.table.rowCount() == len(codes)
    row = codes.index("backup")
    assert "Cadangkan" in dialog.table.item(row, 2).text()
