"""The daily backup while the office is open: checked at start and every hour, made on the worker when due."""

from __future__ import annotations

import logging

from app.ui.qt import QObject, QTimer
from app.ui.state import AppState

log = logging.getLogger(__name__)

CHECK_EVERY_MS = 60 * 60 * 1000


class BackupScheduler(QObject):
    """Makes the daily backup (to the folder chosen in Settings) when the newest is a day old."""

    def __init__(self, state: AppState, parent: QObject | None = None, *, runner=None) -> None:
        super().__init__(parent)
        self.state = state
        # Its own worker: a backup of a large office takes seconds, and saving must not wait for it
        # (SQLite lets the copy read its snapshot while the office's worker writes).
        from app.ui.tasks import TaskRunner

        self.runner = runner or TaskRunner()
        self.running = False
        self.last = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(30_000, self.tick)  # after the first minute's work, not during start-up

    def stop(self) -> None:
        self.timer.stop()
        self.runner.wait()

    def tick(self) -> None:
        from app.services import backup

        ctx = self.state.ctx
        if self.running or ctx is None:
            return
        self.running = True

        def done(info) -> None:
            self.running = False
            if info is not None:
                self.last = info
                self.state.changed.emit("office")  # Beranda's backup warning reads it again

        def failed(error: BaseException) -> None:
            # A stick not plugged in is what Beranda warns about; nothing to interrupt anyone for.
            self.running = False
            log.info("daily backup not made: %s", type(error).__name__)

        self.runner.run(lambda: backup.daily_backup(ctx), done, failed)
