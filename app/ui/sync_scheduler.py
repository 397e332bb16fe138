"""Sends in the background: a round every minute (sooner when asked), on its own worker thread.

Its own thread so a slow or dead network never delays the operator's saves and searches, which run
on the AppState worker. A round never raises for the network: the report and the office's sync
state say what happened, and the status bar shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.clock import utcnow
from app.services import sync, sync_run
from app.services.context import OfficeContext
from app.services.transport import http_transport
from app.ui.qt import QObject, QTimer, Signal
from app.ui.state import OFFICE, PROPOSALS, AppState
from app.ui.tasks import InlineRunner, TaskRunner

# Minutes between rounds when nothing asks for one sooner.
INTERVAL_MS = 60_000
FIRST_ROUND_MS = 3_000
SOON_MS = 2_000


class SyncScheduler(QObject):
    """Runs ``sync_run.run_round`` now and then; ``state_changed`` carries a fresh SyncState."""

    state_changed = Signal(object)
    round_finished = Signal(object)  # RoundReport, or an exception the round could not handle
    running_changed = Signal(bool)

    def __init__(
        self,
        state: AppState,
        *,
        transport_factory: Callable[[str], Any] = http_transport,
        runner: TaskRunner | InlineRunner | None = None,
        interval_ms: int = INTERVAL_MS,
    ) -> None:
        super().__init__()
        self.state = state
        self.transport_factory = transport_factory
        self.runner = runner or TaskRunner()
        self.running = False
        self.last: sync_run.SyncState | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.send_now)
        # Changes come in bursts (a bulk muskel decision): one round shortly after the last of them.
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(SOON_MS)
        self.soon.timeout.connect(self.send_now)
        self._announcing = False
        state.changed.connect(self._office_changed)

    def start(self, first_ms: int = FIRST_ROUND_MS) -> None:
        self.timer.start()
        QTimer.singleShot(first_ms, self.send_now)
        self.refresh()

    def stop(self) -> None:
        """Stop the timer and wait for a round in flight (before the office closes)."""
        self.timer.stop()
        self.soon.stop()
        self.runner.wait()

    # --- work -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the sync state again (cheap) without sending."""
        ctx = self.state.ctx
        if ctx is None:
            return
        self.runner.run(lambda: sync_run.sync_state(ctx), self._state_read, self._failed)

    def send_now(self) -> bool:
        """Start a round unless one runs or the office is not linked; True if one started."""
        ctx = self.state.ctx
        if ctx is None or self.running:
            return False
        self._set_running(True)
        self.runner.run(lambda: self._round(ctx), self._round_done, self._failed)
        return True

    def _round(self, ctx: OfficeContext) -> tuple[sync_run.RoundReport | None, sync_run.SyncState]:
        before = sync_run.sync_state(ctx)
        if before.bound and not before.server_url:
            # An office that sends by USB stick: sign what is queued so it is ready to save.
            if sync.build_for_file(ctx):
                return None, sync_run.sync_state(ctx)
            return None, before
        if not before.bound:
            return None, before
        report = sync_run.run_round(ctx, self.transport_factory(before.server_url), now=utcnow())
        return report, sync_run.sync_state(ctx)

    # --- results (GUI thread) -------------------------------------------------------

    def _state_read(self, fresh: sync_run.SyncState) -> None:
        self.last = fresh
        self.state_changed.emit(fresh)

    def _round_done(self, result) -> None:
        report, fresh = result
        # The fresh state first: whoever hears "no longer running" reads what the round left.
        self._state_read(fresh)
        self._set_running(False)
        if report is not None:
            self.round_finished.emit(report)
            if report.sent.delivered or report.statuses_applied:
                self._announcing = True  # our own news must not start another round
                try:
                    self.state.changed.emit(PROPOSALS)
                finally:
                    self._announcing = False

    def _failed(self, error: BaseException) -> None:
        self._set_running(False)
        self.round_finished.emit(error)

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.running_changed.emit(running)

    def _office_changed(self, what: str) -> None:
        if self._announcing:
            return
        # Something was queued, countersigned or linked: the status bar's count now (a cheap read),
        # and, when sending runs, a round soon rather than within a minute.
        if what in (PROPOSALS, OFFICE):
            self.refresh()
        if what == PROPOSALS and self.timer.isActive():
            self.soon.start()
