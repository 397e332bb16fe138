"""The dashboard's figures kept for a while: served at once, recomputed off the request when older than MAX_AGE.

Days-in-state percentiles read every decision of every item (about a second and a half for 100,000
items on SQLite). A dashboard is read for trends, not for the last click: the page shows the moment
its figures are from, the first visit computes them, and later visits get the figures at once while
a fresh set is computed in the background once they are older than ``MAX_AGE``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.server.console import dashboard
from app.server.context import ServerContext

log = logging.getLogger(__name__)
MAX_AGE = timedelta(minutes=2)


@dataclass(frozen=True)
class Snapshot:
    figures: dashboard.Figures
    at: datetime


def _compute(ctx: ServerContext) -> Snapshot:
    now = ctx.now()
    with ctx.reading() as session:
        return Snapshot(dashboard.figures(session, now), now)


class FiguresCache:
    def __init__(self, ctx: ServerContext, compute: Callable[[ServerContext], Snapshot] | None = None,
                 max_age: timedelta = MAX_AGE) -> None:
        self.ctx, self.compute, self.max_age = ctx, compute or _compute, max_age
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()  # guards _snapshot and _refresh
        self._first = threading.Lock()  # the first computation runs once, however many visit at once
        self._refresh: threading.Thread | None = None

    def get(self) -> Snapshot:
        with self._lock:
            snapshot = self._snapshot
        if snapshot is None:
            with self._first:
                with self._lock:
                    snapshot = self._snapshot
                if snapshot is None:
                    snapshot = self.compute(self.ctx)
                    with self._lock:
                        self._snapshot = snapshot
            return snapshot
        if self.ctx.now() - snapshot.at > self.max_age:
            self._start_refresh()
        return snapshot

    def _start_refresh(self) -> None:
        with self._lock:
            if self._refresh is not None and self._refresh.is_alive():
                return
            self._refresh = threading.Thread(target=self._run_refresh, name="dashboard-figures", daemon=True)
            self._refresh.start()

    def _run_refresh(self) -> None:
        try:
            fresh = self.compute(self.ctx)
        except Exception:  # the old figures stay; the next visit tries again
            log.exception("dashboard figures not refreshed")
            return
        with self._lock:
            self._snapshot = fresh

    def wait(self, timeout: float = 30.0) -> None:
        """Until a background refresh has finished (tests, and a clean shutdown)."""
        with self._lock:
            thread = self._refresh
        if thread is not None:
            thread.join(timeout)
