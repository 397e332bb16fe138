"""The Lurah adds an authenticator app (QR code, then a first code) or removes it (with the passphrase)."""

from __future__ import annotations

import io

from app.i18n import _
from app.services import lurah as lurah_service
from app.services import totp
from app.services.totp import PendingTotp
from app.services.office import WrongPassphrase
from app.ui.errors import error_text
from app.ui.lurah_approval import LurahApprovalFields
from app.ui.people.common import PEOPLE, feedback_label, say
from app.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPixmap,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import AppState


def qr_pixmap(text: str, scale: int = 5) -> QPixmap:
    """``text`` as a QR code, drawn in memory (the secret it holds never touches the disk)."""
    import segno  # only this dialog needs it

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


def _no_enter_default(buttons: QDialogButtonBox) -> None:
    # Enter in the field is wired to the action itself; a default button would also fire (or cancel).
    for button in buttons.buttons():
        button.setAutoDefault(False)
        button.setDefault(False)


class TotpEnrolDialog(QDialog):
    """Scan, type the first code, done; the secret is stored only after that code checks out."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.pending: PendingTotp | None = None
        self.enrolled = False
        self.setWindowTitle(_("Authenticator app for the Lurah"))
        intro = QLabel(_("1. On the Lurah's phone, open an authenticator app (for example Google Authenticator, "
                         "Microsoft Authenticator or Aegis) and scan this code.\n"
                         "2. Type the six digits it shows and the Lurah's passphrase to finish. From then on, "
                         "every step of the Lurah (SPTJM, countersigning, enrolling, revoking, linking) needs the "
                         "Lurah's passphrase and a code from the phone."))
        intro.setWordWrap(True)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setMinimumSize(220, 220)
        self.secret_text = QLabel()
        self.secret_text.setObjectName("recoveryCode")
        self.secret_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.secret_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secret_text.setStyleSheet("font-size: 12pt;")
        manual = QLabel(_("Cannot scan? Type this key into the app instead (time-based, 6 digits):"))
        manual.setObjectName("hint")
        manual.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setPlaceholderText(_("6 digits"))
        self.code.setMaxLength(7)
        self.code.returnPressed.connect(self.confirm)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.confirm)
        self.message = feedback_label()
        self.confirm_button = QPushButton(_("Confirm the code"))
        self.confirm_button.setObjectName("primary")
        self.confirm_button.clicked.connect(self.confirm)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        _no_enter_default(buttons)
        form = QFormLayout()
        form.addRow(_("Code from the authenticator app"), self.code)
        form.addRow(_("The Lurah's passphrase, typed now:"), self.passphrase)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.qr)
        layout.addWidget(manual)
        layout.addWidget(self.secret_text)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.confirm_button.setEnabled(False)
        state.run(totp.start_enrolment, self._started, on_error=self._failed)

    def _started(self, pending: PendingTotp) -> None:
        self.pending = pending
        self.qr.setPixmap(qr_pixmap(pending.uri))
        self.secret_text.setText(pending.text)
        self.confirm_button.setEnabled(True)
        self.code.setFocus()

    def confirm(self) -> None:
        pending, code, passphrase = self.pending, self.code.text(), self.passphrase.text()
        if pending is None:
            return
        if not passphrase:
            say(self.message, _("Type the Lurah's passphrase too."), ok=False)
            self.passphrase.setFocus()
            return
        self.confirm_button.setEnabled(False)

        def step(ctx):
            confirmation = lurah_service.confirm(ctx, passphrase, purpose=lurah_service.Purpose.TOTP_ENROL)
            lurah_service.enrol_totp(ctx, pending, code, confirmation)

        self.state.run(step, self._done, on_error=self._failed, changes=PEOPLE)

    def _done(self, _result) -> None:
        self.enrolled = True
        self.pending = None
        self.passphrase.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        say(self.message, error_text(error), ok=False)
        if isinstance(error, WrongPassphrase):
            self.passphrase.clear()
            self.passphrase.setFocus()
        else:
            self.code.clear()
            self.code.setFocus()
        self.confirm_button.setEnabled(self.pending is not None)


class TotpRemoveDialog(QDialog):
    """Stop asking for codes: passphrase + a code from the old phone, or + the recovery code if it is lost."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.removed = False
        self.setWindowTitle(_("Remove the authenticator app"))
        text = QLabel(_("After this, the Lurah's steps need only the Lurah's passphrase. Do this when the phone "
                        "is replaced (with a code from the old phone) or lost (with the printed recovery code), "
                        "then add the new phone."))
        text.setWordWrap(True)
        self.fields = LurahApprovalFields(needs_code=True)
        self.passphrase, self.code = self.fields.passphrase, self.fields.code
        self.passphrase.returnPressed.connect(self.remove)
        self.code.returnPressed.connect(self.remove)
        # A lost phone gives no code: the printed recovery code, which only the Lurah keeps, stands in.
        self.lost = QCheckBox(_("The phone is lost: use the printed recovery code instead of a code"))
        self.recovery = QLineEdit()
        self.recovery.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.recovery.returnPressed.connect(self.remove)
        self.recovery_label = QLabel(_("Recovery code"))
        self.lost.toggled.connect(self._lost_toggled)
        self.message = feedback_label()
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.rejected.connect(self.reject)
        _no_enter_default(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.fields)
        layout.addWidget(self.lost)
        layout.addWidget(self.recovery_label)
        layout.addWidget(self.recovery)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._lost_toggled(False)

    def _lost_toggled(self, lost: bool) -> None:
        self.recovery_label.setVisible(lost)
        self.recovery.setVisible(lost)
        self.fields.set_code_needed(not lost)

    def remove(self) -> None:
        lost = self.lost.isChecked()
        if not self.fields.complete() or (lost and not self.recovery.text().strip()):
            say(self.message, _("Type the Lurah's passphrase and the recovery code.") if lost
                else _("Type the Lurah's passphrase and the code from the app."), ok=False)
            return
        approval, recovery = self.fields.approval(), self.recovery.text()
        self.remove_button.setEnabled(False)
        say(self.message, _("Checking ..."), ok=None)

        def step(ctx):
            if lost:
                confirmation = lurah_service.confirm_lost_phone(ctx, approval.passphrase, recovery)
            else:
                confirmation = lurah_service.confirm(ctx, approval.passphrase,
                                                     purpose=lurah_service.Purpose.TOTP_REMOVE,
                                                     totp_code=approval.totp_code)
            lurah_service.remove_totp(ctx, confirmation)

        self.state.run(step, self._done, on_error=self._failed, changes=PEOPLE)

    def _done(self, _result) -> None:
        self.removed = True
        self.passphrase.clear()
        self.recovery.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.remove_button.setEnabled(True)
        say(self.message, error_text(error), ok=False)
        if isinstance(error, WrongPassphrase):
            self.passphrase.clear()
        self.code.clear()
        self.passphrase.setFocus()
