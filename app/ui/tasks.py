"""Work off the GUI thread: a single-worker pool for the database, results back by signal.

A worker never touches a widget. ``TaskRunner.run`` calls ``fn`` on the pool and delivers
``on_done(result)`` or ``on_error(exception)`` on the GUI thread (Picard's run_task/to_main,
Anki's taskman). Tests may use ``InlineRunner``, which runs everything at once on the caller's
thread (Picard's FakeThreadPool).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from app.ui.qt import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; queued signals carry results back to it."""

    done = Signal(object, object)  # (callback, result)
    failed = Signal(object, object)  # (callback, exception)

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(lambda callback, result: callback(result))
        self.failed.connect(lambda callback, error: callback(error))


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

    def wait(self, msecs: int = 0) -> bool:
        return True
