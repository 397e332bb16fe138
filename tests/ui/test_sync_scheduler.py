"""The background sender runs on its own thread: a slow network never blocks the window or the worker."""

from __future__ import annotations

import time

from app.services import sync_run
from app.ui.qt import QTimer
from app.ui.sync_scheduler import SyncScheduler
from tests.fakes.sync_world import queue_ready


class SlowDinsos:
    """The in-memory Dinsos behind a link that takes ``delay`` seconds per request."""

    def __init__(self, inner, delay: float):
        self.inner, self.delay, self.threads = inner, delay, set()

    def post_batch(self, sealed):
        import threading

        self.threads.add(threading.get_ident())
        time.sleep(self.delay)
        return self.inner.post_batch(sealed)

    def get_statuses(self, *args):
        return self.inner.get_statuses(*args)


def test_a_slow_round_leaves_the_gui_and_the_worker_free(qtbot, linked, threaded_state, dinsos):
    import threading

    slow = SlowDinsos(dinsos, 0.8)
    scheduler = SyncScheduler(threaded_state, transport_factory=lambda url: slow, interval_ms=60_000)
    queue_ready(linked, 1)
    reports = []
    scheduler.round_finished.connect(reports.append)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    # Meanwhile the operator's own work runs on the AppState worker and comes back at once.
    answered = []
    try:
        scheduler.start(first_ms=0)
        qtbot.waitUntil(lambda: scheduler.running, timeout=5000)
        started = time.monotonic()
        threaded_state.run(lambda ctx: sync_run.sync_state(ctx), lambda s: answered.append(time.monotonic()))
        qtbot.waitUntil(lambda: bool(reports), timeout=10_000)
    finally:
        timer.stop()
        scheduler.stop()
    assert answered and answered[0] - started < 0.5  # not queued behind the 0.8 s send
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert gaps and max(gaps) < 0.3  # the event loop kept turning during the send
    assert threading.get_ident() not in slow.threads
    assert len(reports[0].sent.delivered) == 1
    assert scheduler.last.delivered == 1 and not scheduler.running


def test_queueing_work_brings_the_next_round_forward(qtbot, linked, app_state, dinsos):
    from app.ui.state import PROPOSALS
    from app.ui.tasks import InlineRunner

    scheduler = SyncScheduler(app_state, transport_factory=lambda url: dinsos, runner=InlineRunner(),
                              interval_ms=3_600_000)
    scheduler.soon.setInterval(50)
    scheduler.start(first_ms=3_600_000)  # neither the first round nor the timer would come soon
    try:
        queue_ready(linked, 2)
        app_state.changed.emit(PROPOSALS)
        qtbot.waitUntil(lambda: scheduler.last is not None and scheduler.last.delivered == 1, timeout=5000)
    finally:
        scheduler.stop()
