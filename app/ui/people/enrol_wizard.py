"""Enrol a new person: who they are, their own passphrase, then the Lurah approves (passphrase, TOTP code).

The approval derives two Argon2id keys (the Lurah's check and the new slot), so it runs off the
GUI thread. ``enrol_operator`` is all or nothing: a refused approval leaves nothing behind, and the
wizard stays on the approval page to try again.
"""

from __future__ import annotations

from app.i18n import _
from app.services import operators, totp
from app.services import lurah as lurah_service
from app.services.office import MIN_PASSPHRASE, WrongPassphrase
from app.services.operators import MAX_VALID_DAYS, MIN_VALID_DAYS, Enrolment
from app.ui.errors import error_text
from app.ui.pages.settings import ROLE_LABELS
from app.ui.people.common import (
    PEOPLE,
    feedback_label,
    name_buttons,
    passphrase_praise,
    passphrase_problem,
    password_field,
    say,
    wib_date,
)
from app.ui.qt import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QSpinBox,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from app.ui.state import AppState

DEFAULT_VALID_DAYS = 365


class DetailsPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Who is the new person?"))
        self.setSubTitle(_("Their name is shown on the sign-in screen and in the audit log."))
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("e.g. Citra Lestari"))
        self.role = QComboBox()
        for role in operators.ENROLLED_ROLES:
            self.role.addItem(_(ROLE_LABELS[role]), role)
        self.valid_days = QSpinBox()
        self.valid_days.setRange(MIN_VALID_DAYS, MAX_VALID_DAYS)
        self.valid_days.setValue(DEFAULT_VALID_DAYS)
        self.valid_days.setSuffix(" " + _("days"))
        note = QLabel(_("Field staff do ground checks on a laptop; operators enter proposals and send batches. "
                        "The certificate lets Dinsos accept their batches until it expires; the Lurah can renew it."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Role"), self.role)
        form.addRow(_("Certificate valid for"), self.valid_days)
        form.addRow("", note)
        self.name.textChanged.connect(lambda _text: self.completeChanged.emit())

    def person_name(self) -> str:
        return " ".join(self.name.text().split())

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return bool(self.person_name())


class PassphrasePage(QWizardPage):
    """The new person types their own passphrase twice; the Lurah does not watch."""

    def __init__(self, wizard: EnrolWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.passphrase = password_field()
        self.again = password_field()
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        tip = QLabel(_("At least {minimum} characters. A few ordinary words are easier to remember and harder "
                       "to guess than one short word with symbols.").format(minimum=MIN_PASSPHRASE))
        tip.setObjectName("hint")
        tip.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_("Passphrase"), self.passphrase)
        form.addRow(_("Passphrase again"), self.again)
        form.addRow("", self.feedback)
        form.addRow("", tip)
        for field in (self.passphrase, self.again):
            field.textChanged.connect(self._changed)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        name = self._wizard.details_page.person_name()
        self.setTitle(_("{name} chooses a passphrase").format(name=name))
        self.setSubTitle(_("Give the keyboard to {name}. Only they should know it; nobody can read it back later.")
                         .format(name=name))
        self._changed()

    def problem(self) -> str | None:
        return passphrase_problem(self.passphrase.text(), self.again.text(), self._wizard.details_page.person_name())

    def _changed(self, *_args) -> None:
        problem = self.problem()
        say(self.feedback, problem or passphrase_praise(self.passphrase.text()), ok=problem is None)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.problem() is None


class ApprovePage(QWizardPage):
    """The Lurah's passphrase (and code) approve; the enrolment runs when the commit button is pressed."""

    def __init__(self, wizard: EnrolWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("The Lurah approves"))
        self.setSubTitle(_("The Lurah types their own passphrase to confirm this person may open the office."))
        self.setCommitPage(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.lurah_passphrase = password_field()
        self.code = QLineEdit()
        self.code.setPlaceholderText(_("6 digits"))
        self.code.setMaxLength(7)  # "123 456" as some apps show it
        self.code_label = QLabel(_("Code from the authenticator app"))
        self.message = feedback_label()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.form = QFormLayout()
        self.form.addRow(_("Lurah's passphrase"), self.lurah_passphrase)
        self.form.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addStretch(1)
        for field in (self.lurah_passphrase, self.code):
            field.textChanged.connect(lambda _text: self.completeChanged.emit())
        self.show_code(False)

    def show_code(self, needed: bool) -> None:
        self.code_label.setVisible(needed)
        self.code.setVisible(needed)
        self.completeChanged.emit()

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        details = self._wizard.details_page
        self.summary.setText(
            _("{name} will be enrolled as {role}, with a certificate valid for {days} days.").format(
                name=details.person_name(), role=_(ROLE_LABELS[details.role.currentData()]),
                days=details.valid_days.value())
        )
        say(self.message, "", ok=None)
        self.lurah_passphrase.setFocus()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        if self._wizard.working or not self.lurah_passphrase.text():
            return False
        return not self._wizard.needs_code or bool("".join(self.code.text().split()))

    def validatePage(self) -> bool:  # noqa: N802 (Qt API)
        if self._wizard.enrolment is not None:
            return True
        if not self._wizard.working:
            self._wizard.start_enrolment()
        return False  # the worker moves on by itself when it has enrolled

    def set_working(self, working: bool) -> None:
        self.progress.setVisible(working)
        for field in (self.lurah_passphrase, self.code):
            field.setEnabled(not working)
        if working:
            say(self.message, _("Checking and enrolling ..."), ok=None)
        self.completeChanged.emit()

    def failed(self, error: BaseException) -> None:
        say(self.message, error_text(error), ok=False)
        if isinstance(error, (WrongPassphrase, lurah_service.LurahNotConfirmed)):
            self.lurah_passphrase.clear()
            self.lurah_passphrase.setFocus()
        if isinstance(error, totp.TotpError):
            self.code.clear()
            self.code.setFocus()


class DonePage(QWizardPage):
    def __init__(self, wizard: EnrolWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Enrolled"))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        enrolment = self._wizard.enrolment
        name = self._wizard.details_page.person_name()
        lines = [_("{name} can now sign in with their own passphrase.").format(name=name)]
        if enrolment is not None and enrolment.certificate is not None:
            lines.append(_("Their certificate is valid until {date}.").format(
                date=wib_date(enrolment.certificate.valid_until)))
        else:
            lines.append(_("This office is not linked to Dinsos yet: renew the certificate on the People page "
                           "once it is, before they send a batch."))
        lines.append(_("When they sign in for the first time, Usulkan shows them their start page: "
                       "their work, notes left for them and the office playbook."))
        self.text.setText("\n\n".join(lines))


class EnrolWizard(QWizard):
    """On Finish, ``self.enrolment`` holds the new person's id (and certificate when linked)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.enrolment: Enrolment | None = None
        self.working = False
        self.needs_code = False
        self.setWindowTitle(_("Enrol a person"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(600, 460)
        name_buttons(self, commit=_("Approve and enrol"), finish=_("Finish"))
        self.details_page = DetailsPage()
        self.passphrase_page = PassphrasePage(self)
        self.approve_page = ApprovePage(self)
        self.done_page = DonePage(self)
        for page in (self.details_page, self.passphrase_page, self.approve_page, self.done_page):
            self.addPage(page)
        # Whether the Lurah approves with a code as well: asked once, before the approval page shows.
        # If asking fails, the service still demands the code and the field appears with its error.
        state.run(lurah_service.needs_code, self._code_needed, on_error=lambda _error: self._code_needed(False))

    def _code_needed(self, needed: bool) -> None:
        self.needs_code = bool(needed)
        self.approve_page.show_code(self.needs_code)

    def start_enrolment(self) -> None:
        details, chosen = self.details_page, self.passphrase_page.passphrase.text()
        lurah_passphrase = self.approve_page.lurah_passphrase.text()
        if lurah_passphrase == chosen:
            say(self.approve_page.message, _("The new person's passphrase must differ from the Lurah's. "
                                             "Go back and let them choose another."), ok=False)
            return
        args = dict(
            name=details.person_name(), role=details.role.currentData(), passphrase=chosen,
            valid_days=details.valid_days.value(),
        )
        code = self.approve_page.code.text() if self.needs_code else None

        def step(ctx):
            confirmation = lurah_service.confirm(ctx, lurah_passphrase, purpose=lurah_service.Purpose.ENROL,
                                                 totp_code=code)
            return operators.enrol_operator(ctx, confirmation=confirmation, kdf=ctx.kdf, **args)

        self._set_working(True)
        self.state.run(step, self._enrolled, on_error=self._failed, changes=PEOPLE)

    def _set_working(self, working: bool) -> None:
        self.working = working
        self.approve_page.set_working(working)

    def _enrolled(self, enrolment: Enrolment) -> None:
        self._set_working(False)
        self.enrolment = enrolment
        # The passphrases are in the vault now; the wizard need not hold them any longer.
        for field in (self.passphrase_page.passphrase, self.passphrase_page.again,
                      self.approve_page.lurah_passphrase, self.approve_page.code):
            field.clear()
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        # Not from inside validatePage (InlineRunner finishes there): after the event loop turns.
        QTimer.singleShot(0, self._advance)

    def _advance(self) -> None:
        if self.currentPage() is self.approve_page:
            self.next()

    def _failed(self, error: BaseException) -> None:
        self._set_working(False)
        if isinstance(error, totp.TotpError):
            self._code_needed(True)
        self.approve_page.failed(error)

    def reject(self) -> None:
        if self.working:
            return  # the worker still holds the passphrases; closing now would hide its outcome
        super().reject()
