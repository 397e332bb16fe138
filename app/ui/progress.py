"""A small progress window with a Cancel ("Batal") button, for work that can take a while.

``run_with_progress`` starts ``fn(ctx, job)`` through ``AppState.run_job`` and shows the window
only if the work is still going after a moment, so quick jobs do not flash a dialog. Cancel
asks the worker to stop at its next safe point; the window stays until it has, because only
then is it true that nothing was kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.i18n import _
from app.ui.qt import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, Qt, QTimer, QVBoxLayout, QWidget, Signal
from app.ui.state import AppState
from app.ui.tasks import Job

SHOW_AFTER_MS = 400


class ProgressDialog(QDialog):
    """What is being done, how far it is, and a way to stop it."""

    progressed = Signal(int, int)  # (done, total), after the bar moved: tests follow it

    def __init__(self, title: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(380)
        self.job = Job()
        self.finished_work = False
        self.label = QLabel(text or _("Working…"))
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first report says how much there is
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(row)
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_AFTER_MS)
        self._show_timer.timeout.connect(self._show_now)

    def show_soon(self) -> None:
        if not self.finished_work:
            self._show_timer.start()

    def _show_now(self) -> None:
        if not self.finished_work:
            self.show()

    def set_progress(self, done: int, total: int, text: str = "") -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
        if text and not self.job.cancelled:
            self.label.setText(text)
        self.progressed.emit(done, total)

    def cancel(self) -> None:
        """Ask the work to stop; the window closes when it has."""
        if self.finished_work or self.job.cancelled:
            return
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText(_("Stopping… nothing done so far will be kept."))

    def reject(self) -> None:
        # Esc and the close box mean Cancel; the window goes only when the worker has stopped.
        if self.finished_work:
            super().reject()
        else:
            self.cancel()

    def finish(self) -> None:
        self.finished_work = True
        self._show_timer.stop()
        if self.isVisible():
            self.done(QDialog.DialogCode.Accepted)
        self.deleteLater()


def run_with_progress(
    state: AppState,
    parent: QWidget | None,
    title: str,
    fn: Callable[[Any, Job], Any],
    on_done: Callable[[Any], None],
    *,
    text: str = "",
    on_error: Callable[[BaseException], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    changes: str | None = None,
) -> ProgressDialog:
    """Run ``fn(ctx, job)`` off the GUI thread behind a progress window with Cancel."""
    dialog = ProgressDialog(title, text, parent)

    def done(result) -> None:
        dialog.finish()
        on_done(result)

    def failed(error: BaseException) -> None:
        dialog.finish()
        (on_error or state.failed.emit)(error)

    def cancelled() -> None:
        dialog.finish()
        if on_cancelled is not None:
            on_cancelled()

    state.run_job(fn, done, on_error=failed, on_progress=dialog.set_progress, on_cancelled=cancelled,
                  changes=changes, job=dialog.job)
    dialog.show_soon()
    return dialog
