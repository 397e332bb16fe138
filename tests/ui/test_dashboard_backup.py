"""Beranda warns when the newest good backup is older than three days, or the backup stick is not there."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services import backup
from app.ui.pages.dashboard import DashboardPage
from app.ui.qt import Qt


@pytest.fixture
def beranda(qtbot, app_state):
    page = DashboardPage(app_state)
    qtbot.addWidget(page)
    page.show()
    return page


def test_no_backup_yet_is_warned_and_opens_settings(qtbot, beranda, app_state):
    assert beranda.backup_warning.isVisible()
    assert "belum punya cadangan" in beranda.backup_warning.text()
    with qtbot.waitSignal(app_state.navigate) as opened:
        qtbot.mouseClick(beranda.backup_warning, Qt.MouseButton.LeftButton)
    assert opened.args == ["settings", None]


def test_a_fresh_backup_silences_it_and_an_old_one_brings_it_back(qtbot, beranda, app_state, tmp_path):
    ctx = app_state.ctx
    stick = tmp_path / "stick"
    stick.mkdir()
    backup.set_backup_folder(ctx, stick)
    backup.create_backup(ctx)
    beranda.refresh()
    assert not beranda.backup_warning.isVisible()

    later = ctx.clock() + timedelta(days=4)
    ctx.clock = lambda: later
    beranda.refresh()
    assert beranda.backup_warning.isVisible() and "4 hari" in beranda.backup_warning.text()


def test_a_pulled_stick_is_warned(qtbot, beranda, app_state, tmp_path):
    ctx = app_state.ctx
    stick = tmp_path / "stick"
    stick.mkdir()
    backup.set_backup_folder(ctx, stick)
    backup.create_backup(ctx)
    stick.rename(tmp_path / "elsewhere")  # pulled out
    beranda.refresh()
    assert beranda.backup_warning.isVisible() and "flashdisk" in beranda.backup_warning.text()
