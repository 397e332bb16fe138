"""Sign-in: pick your name, type your passphrase; or, for the Lurah, open with the recovery code.

Unlocking derives a key with Argon2id (deliberately slow), so it runs off the GUI thread
while the dialog shows a busy bar and keeps its inputs disabled.
"""

from __future__ import annotations

import math
import time

from typing import TYPE_CHECKING

from app.i18n import _
from app.ui.errors import error_text
from app.ui.qt import (
    QDialog,
    QFormLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from app.ui.settings_store import LAST_OPERATOR, Settings
from app.ui import warmup
from app.ui.state import AppState

if TYPE_CHECKING:
    from app.services.context import OfficeContext

# The services (SQLAlchemy, Alembic, SQLCipher) are imported by the worker that first needs
# them, not before the dialog shows: that import is most of a second of start-up.


def _office():
    from app.services import office

    return office


class SignInDialog(QDialog):
    """``exec()`` returns Accepted with ``self.ctx`` holding the unlocked office."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.ctx: OfficeContext | None = None
        self._working = False
        self._closed = False
        self._wait_left = 0
        self._deadline = 0.0
        self.setWindowTitle(_("Sign in to Usulkan"))
        self.setMinimumWidth(440)

        heading = QLabel(_("Sign in"))
        heading.setObjectName("pageHeading")
        intro = QLabel(_("Choose your name and type your passphrase."))
        intro.setObjectName("hint")
        intro.setWordWrap(True)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._passphrase_page())
        self.pages.addWidget(self._recovery_page())

        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: Argon2id gives no progress to report
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.pages)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)

        # One timer updates the throttling countdown (a few times a second, so it never lags).
        self.countdown = QTimer(self)
        self.countdown.setInterval(250)
        self.countdown.timeout.connect(self._tick)

        self._load_operators()

    # --- layout ---------------------------------------------------------------------

    def _passphrase_page(self) -> QWidget:
        page = QWidget()
        self.operator = QComboBox()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.sign_in)
        self.sign_in_button = QPushButton(_("Sign in"))
        self.sign_in_button.setObjectName("primary")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.forgot_button = QPushButton(_("Forgot the passphrase? (Lurah: recovery code)"))
        self.forgot_button.setFlat(True)
        self.forgot_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.forgot_button.clicked.connect(lambda: self._show_page(1))

        form = QFormLayout()
        form.addRow(_("Name"), self.operator)
        form.addRow(_("Passphrase"), self.passphrase)
        self.restore_button = QPushButton(_("Restore from a backup"))
        self.restore_button.setFlat(True)
        self.restore_button.clicked.connect(self.restore_from_backup)
        buttons = QHBoxLayout()
        buttons.addWidget(self.forgot_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        return page

    def _recovery_page(self) -> QWidget:
        page = QWidget()
        note = QLabel(
            _("Only the Lurah may do this. Type the code from the printed recovery sheet; "
              "you will act as the Lurah and can then set a new passphrase for the operator.")
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        self.recovery_code = QLineEdit()
        self.recovery_code.setPlaceholderText(_("the code exactly as printed"))
        self.recovery_code.returnPressed.connect(self.recover)
        self.recover_button = QPushButton(_("Open with the recovery code"))
        self.recover_button.setObjectName("primary")
        self.recover_button.clicked.connect(self.recover)
        back = QPushButton(_("Back"))
        back.clicked.connect(lambda: self._show_page(0))
        form = QFormLayout()
        form.addRow(_("Recovery code"), self.recovery_code)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.recover_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addLayout(buttons)
        return page

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self._say("")
        (self.passphrase if index == 0 else self.recovery_code).setFocus()

    # --- operators ------------------------------------------------------------------

    def _load_operators(self) -> None:
        folder = self.state.data_dir
        self._set_working(True)
        self.state.run_plain(lambda: _office().list_operators(folder), self._fill_operators, self._failed)

    def _fill_operators(self, operators: list[tuple[str, str]]) -> None:
        self._set_working(False)
        self.operator.clear()
        for operator_id, name in operators:
            self.operator.addItem(name, operator_id)
        # The person who signed in last on this PC is most likely the one at it now.
        last = self.operator.findData(Settings().get(LAST_OPERATOR))
        if last >= 0:
            self.operator.setCurrentIndex(last)
        self.passphrase.setFocus()
        # The person now finds their name and types: import what the main window needs meanwhile.
        self.state.run_plain(warmup.import_services, lambda _n: warmup.import_window_modules())

    # --- unlocking ------------------------------------------------------------------

    def sign_in(self) -> None:
        operator_id = self.operator.currentData()
        passphrase = self.passphrase.text()
        if self._working or self._wait_left or operator_id is None:
            return
        if not passphrase:
            self._say(_("Type your passphrase."))
            return
        folder = self.state.data_dir
        self._unlock(lambda: _office().open_office(folder, operator_id, passphrase))

    def recover(self) -> None:
        code = self.recovery_code.text().strip()
        if self._working or self._wait_left:
            return
        if not code:
            self._say(_("Type the recovery code."))
            return
        folder = self.state.data_dir
        self._unlock(lambda: _office().open_office_with_recovery(folder, code))

    def restore_from_backup(self, prompts=None) -> None:
        """Pulihkan dari cadangan: on a fresh install (or an emptied office folder) the backup becomes the office."""
        from app.ui.restore_dialog import RestoreDialog

        self.restore_dialog = RestoreDialog(self.state, self, prompts)
        if self.restore_dialog.exec() == QDialog.DialogCode.Accepted and self.restore_dialog.ctx is not None:
            self._opened(self.restore_dialog.ctx)

    def _unlock(self, fn) -> None:
        self._say("")
        self._set_working(True)
        self.state.run_plain(fn, self._opened, self._failed)

    def _opened(self, ctx: OfficeContext) -> None:
        self._set_working(False)
        if self._closed:
            ctx.close()  # the operator closed the dialog while the key was being derived
            return
        self.ctx = ctx
        if ctx.operator_id:
            Settings().set(LAST_OPERATOR, ctx.operator_id)
        self.passphrase.clear()
        self.recovery_code.clear()
        self.accept()

    def reject(self) -> None:
        self._closed = True
        self.countdown.stop()
        super().reject()

    def _failed(self, error: BaseException) -> None:
        self._set_working(False)
        if self._closed:
            return
        from app.services.office import UnlockThrottled, WrongPassphrase

        if isinstance(error, UnlockThrottled):
            self._start_countdown(error.retry_after_seconds)
            return
        self._say(error_text(error))
        field = self.passphrase if self.pages.currentIndex() == 0 else self.recovery_code
        if isinstance(error, WrongPassphrase):
            field.clear()
        field.setFocus()

    # --- throttling -----------------------------------------------------------------

    def _start_countdown(self, seconds: int) -> None:
        # Count to a deadline, not ticks: a coarse timer may fire early, and then the vault,
        # which measures real time, would still refuse the next try.
        self._deadline = time.monotonic() + max(1, int(seconds))
        self._wait_left = max(1, int(seconds))
        self._show_countdown()
        self._update_enabled()
        self.countdown.start()

    def _tick(self) -> None:
        self._wait_left = math.ceil(self._deadline - time.monotonic())
        if self._wait_left <= 0:
            self._wait_left = 0
            self.countdown.stop()
            self._say(_("You may try again now."))
            self._update_enabled()
            (self.passphrase if self.pages.currentIndex() == 0 else self.recovery_code).setFocus()
            return
        self._show_countdown()

    def _show_countdown(self) -> None:
        self._say(
            _("Too many wrong attempts. Wait {seconds} seconds before the next try.").format(
                seconds=self._wait_left
            )
        )
        self.sign_in_button.setText(_("Wait {seconds} s").format(seconds=self._wait_left))

    # --- helpers --------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _set_working(self, working: bool) -> None:
        self._working = working
        self.progress.setVisible(working)
        self._update_enabled()

    def _update_enabled(self) -> None:
        free = not self._working
        # The restore button too: left enabled, it took the focus from the disabled field, became the default
        # and received the same Enter that started the sign-in (the restore dialog opened over the window).
        for widget in (self.operator, self.passphrase, self.recovery_code, self.forgot_button, self.restore_button):
            widget.setEnabled(free)
        self.sign_in_button.setEnabled(free and not self._wait_left)
        self.recover_button.setEnabled(free and not self._wait_left)
        if not self._wait_left:
            self.sign_in_button.setText(_("Sign in"))

    def is_waiting(self) -> bool:
        """True while a throttling countdown runs (the sign-in button stays disabled)."""
        return self._wait_left > 0
