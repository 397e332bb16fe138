"""The signed-in office as the UI sees it: one context, one runner, one "something changed" signal.

Widgets never poke each other: a page asks ``AppState.run`` to call a service; when it has
run, ``changed`` is emitted with what it touched and every interested page refreshes
(Anki's CollectionOp + OpChanges).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.ui.qt import QObject, Signal
from app.ui.tasks import Cancelled, InlineRunner, Job, TaskRunner

if TYPE_CHECKING:
    from app.services.context import OfficeContext

# What a service call may have touched; pages refresh on the ones they show.
PROPOSALS, COMPLAINTS, OFFICE, ATTACHMENTS = "proposals", "complaints", "office", "attachments"


class AppState(QObject):
    changed = Signal(str)
    failed = Signal(object)  # an exception nobody handled: the main window explains it
    busy = Signal(bool)
    signed_in = Signal()
    signed_out = Signal()
    # Ask the main window to show a page, optionally opened on an item: ("proposals", id).
    navigate = Signal(str, object)
    # The UI language was switched (the code, "id" or "en"): windows rebuild their text.
    language_changed = Signal(str)

    def __init__(self, data_dir: Path, runner: TaskRunner | InlineRunner | None = None) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.runner = runner or TaskRunner()
        self.ctx: OfficeContext | None = None
        # The Argon2id cost for an office created here, before there is a context (None: calibrated
        # on this PC; tests put KdfParams.for_tests() here). Signed in, the screens use ctx.kdf.
        self.kdf = None
        # The main window's background sender (app/ui/sync_scheduler.py), when there is one.
        self.scheduler = None
        # Set when the session ended from inside (a revoked leaver): the app asks for a sign-in again.
        self.sign_in_again = False
        self._pending = 0

    # --- running services -----------------------------------------------------------

    def run(
        self,
        fn: Callable[[OfficeContext], Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        changes: str | None = None,
    ) -> None:
        """Call ``fn(ctx)`` off the GUI thread; then ``on_done(result)`` and ``changed(changes)``."""
        ctx = self.ctx
        if ctx is None:
            raise RuntimeError("no office is open")
        self._set_busy(+1)

        def done(result):
            self._set_busy(-1)
            if on_done is not None:
                on_done(result)
            if changes:
                self.changed.emit(changes)

        def error(exc):
            self._set_busy(-1)
            (on_error or self.failed.emit)(exc)

        self.runner.run(lambda: fn(ctx), done, error)

    def run_job(
        self,
        fn: Callable[[OfficeContext, Job], Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        changes: str | None = None,
        job: Job | None = None,
    ) -> Job:
        """Like ``run`` for long work: ``fn(ctx, job)`` reports progress and may be cancelled.

        Returns the ``Job``; ``job.cancel()`` asks the worker to stop at its next ``check``.
        A cancelled job calls ``on_cancelled`` (not ``on_error``) and emits no ``changed``:
        the work rolled back.
        """
        ctx = self.ctx
        if ctx is None:
            raise RuntimeError("no office is open")
        self._set_busy(+1)

        def done(result):
            self._set_busy(-1)
            if on_done is not None:
                on_done(result)
            if changes:
                self.changed.emit(changes)

        def error(exc):
            self._set_busy(-1)
            if isinstance(exc, Cancelled):
                if on_cancelled is not None:
                    on_cancelled()
                return
            (on_error or self.failed.emit)(exc)

        return self.runner.run_job(lambda job: fn(ctx, job), done, error, on_progress, job=job)

    def disconnect_listeners(self) -> None:
        """Drop every connection to this state's signals (before the window is built anew).

        Pages connect lambdas that Qt cannot tie to the page's lifetime; a rebuilt window
        connects its own again, and the old pages must not hear anything once they are gone.
        """
        for name, signature in (("changed", "QString"), ("failed", "PyObject"), ("busy", "bool"),
                                ("signed_in", ""), ("signed_out", ""), ("navigate", "QString,PyObject"),
                                ("language_changed", "QString")):
            # Disconnecting a signal nobody listens to warns; ask Qt first.
            if self.receivers(f"2{name}({signature})") > 0:
                getattr(self, name).disconnect()

    def run_plain(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Off the GUI thread without an office (unlock, create office, region search)."""
        self._set_busy(+1)

        def done(result):
            self._set_busy(-1)
            on_done(result)

        def error(exc):
            self._set_busy(-1)
            (on_error or self.failed.emit)(exc)

        self.runner.run(fn, done, error)

    def _set_busy(self, delta: int) -> None:
        was = self._pending > 0
        self._pending += delta
        if (self._pending > 0) != was:
            self.busy.emit(self._pending > 0)

    # --- session --------------------------------------------------------------------

    def sign_in(self, ctx: OfficeContext) -> None:
        self.ctx = ctx
        self.signed_in.emit()

    def sign_out(self) -> None:
        ctx, self.ctx = self.ctx, None
        if ctx is not None:
            # The background sender uses the same context on its own thread: it stops first.
            if self.scheduler is not None:
                self.scheduler.stop()
            self.runner.wait()
            ctx.close()
        self.signed_out.emit()
