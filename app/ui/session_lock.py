"""A shared office PC: the lock screen over the main window, and the idle timer that brings it.

Locked, the window shows no person's data: the pages are replaced by the lock screen and
every other window of the application (open proposals, wizards) is hidden, with its typing
as it was. The same person's passphrase opens it again exactly as it was left; "Sign in as
someone else" signs this person out (open forms keep their typing as recoverable drafts) and
shows the sign-in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from app.i18n import _
from app.ui.errors import error_text
from app.ui.qt import (
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QObject,
    QProgressBar,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.state import AppState

# What counts as someone at the keyboard (not a timer repainting, not the sender working).
ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
})


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without a key press, click or mouse move in the application."""

    idle = Signal()

    def __init__(self, app: QObject, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle.emit)
        self.set_minutes(minutes)
        app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, int(minutes)) * 60_000)
        self.restart()

    def restart(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.app.removeEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start()  # from the beginning again
        return False


class LockScreen(QWidget):
    """Who is signed in, a passphrase field, and the way for someone else to sign in."""

    unlocked = Signal()
    switch_person = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._working = False
        self._deadline = 0.0
        # Unlocking derives a key with Argon2id: off the GUI thread. Tests may swap it.
        self.unlock_service: Callable = _unlock_service

        heading = QLabel(_("Locked"))
        heading.setObjectName("pageHeading")
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.unlock)
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setObjectName("primary")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.unlock)
        self.other_button = QPushButton(_("Sign in as someone else"))
        self.other_button.clicked.connect(self.switch_person.emit)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.countdown = QTimer(self)
        self.countdown.setInterval(250)
        self.countdown.timeout.connect(self._tick)

        self.field_label = QLabel(_("Passphrase"))
        form = QFormLayout()
        form.addRow(self.field_label, self.passphrase)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        box = QWidget()
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        inner.setSpacing(10)
        for widget in (heading, self.who):
            inner.addWidget(widget)
        inner.addLayout(form)
        inner.addLayout(buttons)
        inner.addWidget(self.message)
        inner.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def prepare(self, *, idle: bool) -> None:
        ctx = self.state.ctx
        name = ctx.operator_name if ctx else ""
        lurah = ctx is not None and ctx.operator_role == "lurah"
        self.field_label.setText(_("Passphrase or recovery code") if lurah else _("Passphrase"))
        reason = (_("Locked after a while without use.") if idle else _("Locked."))
        if lurah:
            ask = _("{name} is signed in. Type {name}'s passphrase, or the recovery code, to go on where you "
                    "left off; unsaved typing is kept.")
        else:
            ask = _("{name} is signed in. Type {name}'s passphrase to go on where you left off; "
                    "unsaved typing is kept.")
        self.who.setText(f"{reason} {ask.format(name=name)}")
        self.passphrase.clear()
        self._say("")
        self.passphrase.setFocus()

    def unlock(self) -> None:
        secret = self.passphrase.text()
        if self._working or self._deadline > time.monotonic():
            return
        if not secret:
            self._say(_("Type your passphrase."))
            return
        self._set_working(True)
        self.state.run(lambda ctx: self.unlock_service(ctx, secret), self._opened, on_error=self._failed)

    def _opened(self, _result) -> None:
        self._set_working(False)
        self.passphrase.clear()
        self.unlocked.emit()

    def _failed(self, error: BaseException) -> None:
        from app.services.office import UnlockThrottled, WrongPassphrase

        self._set_working(False)
        self.passphrase.clear()
        self.passphrase.setFocus()
        if isinstance(error, UnlockThrottled):
            self._deadline = time.monotonic() + max(1, int(error.retry_after_seconds))
            self._tick()
            self.countdown.start()
        elif isinstance(error, WrongPassphrase):
            self._say(error_text(error))
        else:
            self.state.failed.emit(error)

    def _tick(self) -> None:
        left = math.ceil(self._deadline - time.monotonic())
        if left <= 0:
            self.countdown.stop()
            self._say(_("You may try again now."))
            self.unlock_button.setEnabled(True)
            return
        self.unlock_button.setEnabled(False)
        self._say(_("Too many wrong attempts. Wait {seconds} seconds before the next try.").format(seconds=left))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _set_working(self, working: bool) -> None:
        self._working = working
        self.progress.setVisible(working)
        for widget in (self.passphrase, self.unlock_button, self.other_button):
            widget.setEnabled(not working)


def _unlock_service(ctx, secret: str) -> None:
    from app.services import session

    session.unlock(ctx, secret)
