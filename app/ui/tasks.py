"""Work off the GUI thread: a single-worker pool for the database, results back by signal.

A worker never touches a widget. ``TaskRunner.run`` calls ``fn`` on the pool and delivers
``on_done(result)`` or ``on_error(exception)`` on the GUI thread (Picard's run_task/to_main,
Anki's taskman). Tests may use ``InlineRunner``, which runs everything at once on the caller's
thread (Picard's FakeThreadPool).

Long work uses ``run_job``: ``fn`` receives a ``Job`` that reports progress and can be
cancelled. Cancelling is cooperative: the worker calls ``job.check()`` (or hands it to a
service as its ``cancel`` callable) at points where stopping leaves nothing half done; it
then raises ``Cancelled``, which ends the transaction or the file write like any error.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from app.ui.qt import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
# (done, total, text): total 0 means "no idea how much is left" (a busy bar).
Progressed = Callable[[int, int, str], None]

PROGRESS_INTERVAL_S = 0.05  # a worker reporting every row must not flood the GUI thread


class Cancelled(Exception):
    """The operator pressed Cancel; the work stopped and kept nothing."""


class Job:
    """What a long-running ``fn`` receives: ``progress(done, total, text)`` and ``check()``.

    Thread-safe: the GUI thread calls ``cancel``, the worker calls the rest.
    """

    def __init__(self, report: Progressed | None = None, interval: float = PROGRESS_INTERVAL_S) -> None:
        self._cancelled = threading.Event()
        self._report = report
        self._interval = interval
        self._last = float("-inf")

    def attach(self, report: Progressed | None, interval: float) -> Job:
        """Where progress goes: the runner sets this when it starts the job."""
        self._report, self._interval = report, interval
        return self

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if Cancel was pressed: the worker's safe stopping point."""
        if self._cancelled.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        """Tell the GUI how far the work is; calls closer together than 50 ms are dropped."""
        if self._report is None:
            return
        now = time.monotonic()
        if done != 0 and done != total and now - self._last < self._interval:
            return
        self._last = now
        self._report(done, total, text)


class _Relay(QObject):
    """Lives on the GUI thread; queued signals carry results back to it."""

    done = Signal(object, object)  # (callback, result)
    failed = Signal(object, object)  # (callback, exception)
    progressed = Signal(object, object)  # (callback, (done, total, text))

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(lambda callback, result: callback(result))
        self.failed.connect(lambda callback, error: callback(error))
        self.progressed.connect(lambda callback, values: callback(*values))


class _Job(QRunnable):
    def __init__(self, relay: _Relay, fn: Callable[[], Any], on_done: Done, on_error: Failed) -> None:
        super().__init__()
        self.relay, self.fn, self.on_done, self.on_error = relay, fn, on_done, on_error

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as error:  # handed to the GUI thread, which shows it
            log.debug("task failed: %s", "".join(traceback.format_exception_only(type(error), error)).strip())
            self.relay.failed.emit(self.on_error, error)
        else:
            self.relay.done.emit(self.on_done, result)


class TaskRunner:
    """Runs callables on a dedicated pool (one thread: SQLite has one writer anyway)."""

    def __init__(self, threads: int = 1) -> None:
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(threads)
        self.relay = _Relay()

    def run(self, fn: Callable[[], Any], on_done: Done, on_error: Failed) -> None:
        self.pool.start(_Job(self.relay, fn, on_done, on_error))

    def run_job(
        self, fn: Callable[[Job], Any], on_done: Done, on_error: Failed, on_progress: Progressed | None = None,
        job: Job | None = None,
    ) -> Job:
        """Like ``run``, with a ``Job`` for ``fn`` (``job`` if given); progress arrives on the GUI thread."""
        relay = self.relay
        report = None
        if on_progress is not None:
            def report(done: int, total: int, text: str) -> None:
                relay.progressed.emit(on_progress, (done, total, text))
        job = (job or Job()).attach(report, PROGRESS_INTERVAL_S)
        self.run(lambda: fn(job), on_done, on_error)
        return job

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


class InlineRunner:
    """Runs at once on the calling thread: deterministic tests without a pool."""

    def run(self, fn: Callable[[], Any], on_done: Done, on_error: Failed) -> None:
        try:
            result = fn()
        except BaseException as error:
            on_error(error)
        else:
            on_done(result)

    def run_job(
        self, fn: Callable[[Job], Any], on_done: Done, on_error: Failed, on_progress: Progressed | None = None,
        job: Job | None = None,
    ) -> Job:
        # Every report reaches the GUI here: a test may cancel from inside one, deterministically.
        job = (job or Job()).attach(on_progress, 0.0)
        self.run(lambda: fn(job), on_done, on_error)
        return job

    def wait(self, msecs: int = 0) -> bool:
        return True
