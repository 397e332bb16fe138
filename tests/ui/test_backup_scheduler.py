"""The daily backup is made while the office is open, once a day, to the folder chosen in Settings."""

from __future__ import annotations

from datetime import timedelta

from app.services import backup
from app.ui.backup_scheduler import BackupScheduler
from app.ui.tasks import InlineRunner


def test_the_daily_backup_is_made_when_due_and_not_again_the_same_day(qtbot, app_state, tmp_path):
    ctx = app_state.ctx
    stick = tmp_path / "stick"
    stick.mkdir()
    backup.set_backup_folder(ctx, stick)
    scheduler = BackupScheduler(app_state, runner=InlineRunner())
    scheduler.tick()
    [made] = backup.list_backups(stick, thorough=True)
    assert made.reason == "daily" and scheduler.last.name == made.name
    scheduler.tick()
    assert len(backup.list_backups(stick)) == 1
    later = ctx.clock() + timedelta(days=1, minutes=1)
    ctx.clock = lambda: later
    scheduler.tick()
    assert len(backup.list_backups(stick)) == 2


def test_a_missing_stick_interrupts_nobody(qtbot, app_state, tmp_path):
    backup.set_backup_folder(app_state.ctx, tmp_path / "not-here")
    failures = []
    app_state.failed.connect(failures.append)
    scheduler = BackupScheduler(app_state, runner=InlineRunner())
    scheduler.tick()
    assert failures == [] and not scheduler.running and scheduler.last is None


def test_the_real_worker_makes_it_off_the_gui_thread(qtbot, threaded_state, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    backup.set_backup_folder(threaded_state.ctx, stick)
    scheduler = BackupScheduler(threaded_state)
    scheduler.tick()
    qtbot.waitUntil(lambda: not scheduler.running, timeout=20_000)
    assert scheduler.last is not None and len(backup.list_backups(stick, thorough=True)) == 1
    scheduler.stop()
