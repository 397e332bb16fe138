"""Keep the editor's typing in the encrypted database every few seconds, so nothing is lost."""

from __future__ import annotations

from collections.abc import Callable

from app.services.autosave import discard_form, load_form, save_form
from app.ui.qt import QObject, QTimer
from app.ui.state import AppState

INTERVAL_MS = 5_000


class Autosave(QObject):
    """Saves ``payload()`` under ``key`` when the form changed since the last save."""

    def __init__(
        self,
        state: AppState,
        key: str,
        payload: Callable[[], dict],
        title: Callable[[], str],
        parent=None,
        *,
        commit: Callable[[], None] | None = None,
    ):
        super().__init__(parent)
        self.state, self.key, self.payload, self.title = state, key, payload, title
        # Takes typing that is still inside an open editor (a table cell) into the form first.
        self.commit = commit
        self.dirty = False
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.flush)
        self.timer.start()

    def touch(self) -> None:
        self.dirty = True

    def flush(self) -> None:
        """Store the form now if it changed (the timer, and closing the window, call this)."""
        if self.commit is not None:
            self.commit()
        if not self.dirty or self.state.ctx is None:
            return
        self.dirty = False
        key, title, payload = self.key, self.title(), self.payload()
        # A failed autosave must not interrupt typing: mark dirty and try again next tick.
        self.state.run(lambda ctx: save_form(ctx, key, title, payload), None, on_error=lambda _e: self.touch())

    def offer(self, restore: Callable[[dict], None]) -> None:
        """If typing was left under ``key``, hand it to ``restore`` (which asks the operator)."""
        key = self.key
        self.state.run(lambda ctx: load_form(ctx, key), lambda payload: payload and restore(payload))

    def discard(self, key: str | None = None) -> None:
        """Forget the kept typing (after a real save, or when the operator declines it)."""
        key = key or self.key
        self.dirty = False
        if self.state.ctx is not None:
            self.state.run(lambda ctx: discard_form(ctx, key))

    def stop(self) -> None:
        self.timer.stop()
