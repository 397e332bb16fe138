"""Page 4: the Lurah countersigns with the passphrase and may revoke the leaver now, or later."""

from __future__ import annotations

from app.clock import format_wib
from app.i18n import _
from app.ui.errors import error_text
from app.ui.handover_wizard import steps
from app.ui.handover_wizard.pdf_file import PdfSaver
from app.ui.handover_wizard.session import HandoverSession
from app.ui.handover_wizard.table import show_message
from app.ui.lurah_approval import LurahApprovalFields
from app.ui.people.common import PEOPLE
from app.ui.qt import QCheckBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, Qt, QVBoxLayout, QWizardPage
from app.ui.state import OFFICE, AppState


class LurahPage(QWizardPage):
    """The Lurah's countersignature, then (optionally) the leaver's revocation, each approved on its own."""

    def __init__(self, session: HandoverSession, state: AppState, saver: PdfSaver, *, needs_code: bool) -> None:
        super().__init__()
        self.session, self._state, self._saver = session, state, saver
        self.busy = False
        self.setTitle(_("The Lurah's countersignature"))
        self.setSubTitle(_("If the Lurah is not here, choose Finish: the report can be countersigned later."))
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.fields = LurahApprovalFields(needs_code)
        self.passphrase, self.code = self.fields.passphrase, self.fields.code
        self.code.returnPressed.connect(self.countersign)
        self.countersign_button = QPushButton(_("Countersign"))
        self.countersign_button.clicked.connect(self.countersign)
        self.passphrase.returnPressed.connect(self.countersign)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.save_button = QPushButton(_("Save the countersigned PDF ..."))
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.save_button.setEnabled(False)
        self.saved = QLabel()
        self.saved.setWordWrap(True)

        self.revoke_box = QGroupBox(_("Revoke access (optional)"))
        self.revoke_box.setEnabled(False)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("e.g. contract ended"))
        self.confirm = QCheckBox()
        # Revoking is a step of its own: the Lurah approves it again (and with the next code).
        self.revoke_fields = LurahApprovalFields(needs_code)
        self.revoke_button = QPushButton(_("Revoke access now"))
        self.revoke_button.clicked.connect(self.revoke)
        self.revoke_status = QLabel()
        self.revoke_status.setWordWrap(True)
        for signal in (self.reason.textChanged, self.confirm.toggled, self.revoke_fields.passphrase.textChanged,
                       self.revoke_fields.code.textChanged):
            signal.connect(lambda *_a: self._revoke_ready())
        box = QFormLayout(self.revoke_box)
        box.addRow(_("Reason"), self.reason)
        box.addRow("", self.confirm)
        box.addRow("", self.revoke_fields)
        box.addRow("", self.revoke_button)
        box.addRow("", self.revoke_status)
        self._revoke_ready()

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.fields)
        layout.addWidget(self.countersign_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved)
        layout.addWidget(self.revoke_box)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        session = self.session
        lurah = session.lurah[1] if session.lurah else _("the Lurah")
        self.intro.setText(_("{lurah} checks the report (fingerprint {hash}) and types the Lurah's passphrase "
                             "to countersign it.").format(lurah=lurah, hash=session.view.short_hash if session.view else ""))
        self.confirm.setText(_("I confirm that {name} may no longer open this office.").format(name=session.from_name))
        self.revoke_box.setTitle(_("Revoke {name}'s access (optional)").format(name=session.from_name))

    def countersign(self) -> None:
        session = self.session
        if self.busy or not session.handed_over or session.view is None or session.countersigned:
            return
        record_id = session.record_id
        if not self.fields.complete():
            show_message(self.status, _("Type the Lurah's passphrase (and the code from the app) first."), error=True)
            return
        approval = self.fields.approval()
        self._busy(True)
        show_message(self.status, _("Checking the passphrase ..."))
        # The other screens (Petugas, Beranda) show what waits for the Lurah: they refresh after it.
        self._state.run(lambda ctx: steps.countersign(ctx, record_id, approval), self._countersigned,
                        on_error=self._countersign_failed, changes=PEOPLE)

    def _countersigned(self, result) -> None:
        self.session.shown(*result)
        self._busy(False)
        self.fields.clear()
        self.fields.setEnabled(False)
        self.countersign_button.setEnabled(False)
        show_message(self.status, _("\u2713 Countersigned by the Lurah on {when}.").format(
            when=format_wib(self.session.view.lurah_signed_at)))
        self.save_button.setEnabled(True)
        self.revoke_box.setEnabled(True)
        self._revoke_ready()

    def _countersign_failed(self, error: BaseException) -> None:
        self._busy(False)
        show_message(self.status, error_text(error), error=True)
        # Keep what was typed, selected, so a typo is fixed by typing again; a code is used up either way.
        self.code.clear()
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def save_pdf(self, path=None):
        return self._saver.save(self.session, self.saved, path)

    def _revoke_ready(self) -> None:
        self.revoke_button.setEnabled(bool(self.reason.text().strip()) and self.confirm.isChecked() and not self.busy
                                      and self.revoke_fields.complete() and self.session.revoked is None)

    def revoke(self) -> None:
        session, state = self.session, self._state
        reason = self.reason.text().strip()
        if not (reason and self.confirm.isChecked() and self.revoke_fields.complete()) or session.revoked is not None \
                or not session.countersigned:
            return
        leaver, approval = session.from_operator, self.revoke_fields.approval()
        self.revoke_fields.clear()
        self._busy(True)
        show_message(self.revoke_status, _("Revoking and changing the office key ..."))
        if state.ctx is None or state.ctx.operator_id != leaver:
            state.run(lambda ctx: steps.revoke(ctx, leaver, reason, approval), self._revoked,
                      on_error=self._revoke_failed, changes=OFFICE)
            return
        # The new key can only be made with every connection closed: the leaver's session ends here,
        # and the revocation runs on its (closed) database handle, which the re-key then replaces.
        # The handle travels in the task only; this page keeps none.
        session.signed_out_leaver = True
        ctx = state.ctx
        state.sign_out()
        state.run_plain(lambda: steps.revoke(ctx, leaver, reason, approval), self._revoked, self._revoke_failed)

    def _revoked(self, result) -> None:
        session = self.session
        session.revoked = result
        self._busy(False)
        text = _("Access revoked. {name} can no longer open this office; the signed revocation goes to Dinsos "
                 "with the next batch.").format(name=session.from_name)
        if session.signed_out_leaver:
            text += " " + _("This computer is now signed out: the next person signs in with their own passphrase.")
        show_message(self.revoke_status, text)
        self.reason.setEnabled(False)
        self.confirm.setEnabled(False)

    def _revoke_failed(self, error: BaseException) -> None:
        self._busy(False)
        show_message(self.revoke_status, error_text(error), error=True)

    def _busy(self, on: bool) -> None:
        self.busy = on
        self.countersign_button.setEnabled(not on and not self.session.countersigned)
        self._revoke_ready()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return not self.busy
