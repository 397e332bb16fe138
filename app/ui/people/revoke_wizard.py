"""Revoke a person: choose them and say why, see what will happen, type their name, then it runs.

``revoke_operator`` signs revocations for Dinsos, gives the person's open work to the office pool,
removes their keyslot and re-keys the database. The re-key rewrites the whole database, so it
runs off the GUI thread; if it stops (another Usulkan still has the office open), the result page
explains and offers to try again, which the service is built to repeat safely.
"""

from __future__ import annotations

from app.i18n import _, n_
from app.services import lurah as lurah_service
from app.services import operators, totp
from app.services.operators import RevocationResult
from app.services.people import Person, list_people
from app.services.office import WrongPassphrase
from app.ui.errors import error_text
from app.ui.lurah_approval import LurahApprovalFields
from app.ui.pages.settings import ROLE_LABELS
from app.ui.people.common import PEOPLE, feedback_label, name_buttons, say
from app.ui.qt import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from app.ui.state import COMPLAINTS, PROPOSALS, AppState

ID_ROLE = Qt.ItemDataRole.UserRole


def revocable(person: Person, lurah_id: str | None) -> bool:
    return person.active and person.role != "lurah" and person.id != lurah_id


class ChoosePage(QWizardPage):
    def __init__(self, wizard: RevokeWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Whose access is revoked?"))
        self.setSubTitle(_("Choose the person and write why. The reason goes to Dinsos with the revocation."))
        self.people = QListWidget()
        self.people.setMinimumHeight(140)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(_("For example: contract ended, moved to another office."))
        self.reason.setMaximumHeight(90)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.people)
        layout.addWidget(QLabel(_("Reason (required)")))
        layout.addWidget(self.reason)
        layout.addWidget(self.hint)
        self.people.currentItemChanged.connect(lambda *_a: self.completeChanged.emit())
        self.reason.textChanged.connect(self.completeChanged.emit)

    def fill(self, people: list[Person], chosen: str | None) -> None:
        self.people.clear()
        for person in people:
            item = QListWidgetItem(n_("{name} ({role}), {count} open item", "{name} ({role}), {count} open items", person.open_items).format(
                name=person.name, role=_(ROLE_LABELS.get(person.role, person.role)), count=person.open_items))
            item.setData(ID_ROLE, person.id)
            self.people.addItem(item)
            if person.id == chosen:
                self.people.setCurrentItem(item)
        self.hint.setText("" if people else _("Nobody but the Lurah can open this office: there is no one to revoke."))
        self.completeChanged.emit()

    def chosen_id(self) -> str | None:
        item = self.people.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.chosen_id() is not None and bool(self.reason_text())


class ConfirmPage(QWizardPage):
    """What will happen, in plain words; the person's name typed again makes it deliberate."""

    def __init__(self, wizard: RevokeWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("What will happen"))
        self.setCommitPage(True)
        self.consequences = QLabel()
        self.consequences.setWordWrap(True)
        self.consequences.setTextFormat(Qt.TextFormat.RichText)
        self.confirm = QLineEdit()
        self.confirm_label = QLabel()
        self.confirm_label.setWordWrap(True)
        # The Lurah on the spot, as for enrolment: a session left open is not enough to revoke.
        self.fields = LurahApprovalFields(lurah_service.needs_code(wizard.state.ctx))
        self.passphrase, self.code = self.fields.passphrase, self.fields.code
        layout = QVBoxLayout(self)
        layout.addWidget(self.consequences)
        layout.addSpacing(8)
        layout.addWidget(self.confirm_label)
        layout.addWidget(self.confirm)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        for field in (self.confirm, self.passphrase, self.code):
            field.textChanged.connect(lambda _text: self.completeChanged.emit())

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        person = self._wizard.person()
        if person is None:
            return
        self.setSubTitle(_("Revoking {name}'s access cannot be undone; enrolling them again makes a new slot.")
                         .format(name=person.name))
        steps = [
            n_("Their open work ({count} item) goes to the office pool, where anyone can pick it up.", "Their open work ({count} items) goes to the office pool, where anyone can pick it up.", person.open_items)
            .format(count=person.open_items),
            _("Their keyslot is removed: their passphrase no longer opens the office."),
            _("The database is re-keyed, so an old copy of their slot opens nothing written from now on. "
              "Everyone else keeps their own passphrase."),
        ]
        if person.valid_until is not None:
            steps.append(_("A revocation signed by the Lurah is queued and goes to Dinsos with the next batch; "
                           "from then on Dinsos refuses batches signed by them."))
        else:
            steps.append(_("They have no certificate from Dinsos's chain, so nothing needs to be sent to Dinsos."))
        self.consequences.setText("<ul>" + "".join(f"<li>{_escape(step)}</li>" for step in steps) + "</ul>")
        self.confirm_label.setText(_("To confirm, type their name: {name}").format(name=person.name))
        self.confirm.clear()
        self.confirm.setFocus()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        person = self._wizard.person()
        typed = " ".join(self.confirm.text().split()).casefold()
        return (person is not None and typed == " ".join(person.name.split()).casefold()
                and self.fields.complete())


class ResultPage(QWizardPage):
    """Runs the revocation when shown; tells what happened, or why it stopped with a way to retry."""

    def __init__(self, wizard: RevokeWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Revoking access"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = feedback_label()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.retry = QPushButton(_("Try again"))
        self.retry.clicked.connect(self.start)
        self.retry.hide()
        # Shown when the approval was refused: the page before cannot be gone back to (commit page).
        self.retry_fields = LurahApprovalFields(lurah_service.needs_code(wizard.state.ctx))
        self.passphrase, self.code = self.retry_fields.passphrase, self.retry_fields.code
        self.passphrase.returnPressed.connect(self.start)
        self.code.returnPressed.connect(self.start)
        self.retry_fields.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.retry_fields)
        layout.addWidget(self.retry, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        if self._wizard.result is None and not self._wizard.working:
            self.start()

    def start(self) -> None:
        if self.retry_fields.isVisible():
            if not self.retry_fields.complete():
                return
            self._wizard.confirm_page.passphrase.setText(self.passphrase.text())
            self._wizard.confirm_page.code.setText(self.code.text())
            self.retry_fields.clear()
        self.retry_fields.hide()
        self.retry.hide()
        say(self.message, "", ok=None)
        self.progress.show()
        self.status.setText(_("Revoking and re-keying the database. Do not switch off the computer ..."))
        self._wizard.revoke(self._done, self._failed)

    def _done(self, result: RevocationResult) -> None:
        self.progress.hide()
        self.setTitle(_("Access revoked"))
        person = self._wizard.person()
        name = person.name if person is not None else ""
        lines = [
            _("{name} can no longer open this office.").format(name=name),
            n_("{count} item of open work is now in the office pool.", "{count} items of open work are now in the office pool.", len(result.moved.items)).format(count=len(result.moved.items)),
            _("The database was re-keyed."),
        ]
        if result.revocations:
            lines.append(n_("{count} signed revocation waits to go to Dinsos with the next batch.", "{count} signed revocations wait to go to Dinsos with the next batch.", len(result.revocations))
                         .format(count=len(result.revocations)))
        self.status.setText("\n".join(lines))
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.status.setText(_("The revocation did not finish."))
        say(self.message, error_text(error), ok=False)
        if isinstance(error, (WrongPassphrase, lurah_service.LurahNotConfirmed, totp.TotpError,
                              lurah_service.ConfirmationRefused)):
            self.retry_fields.show()  # nothing was changed; type it again here
            self.passphrase.setFocus()
        self.retry.show()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self._wizard.result is not None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RevokeWizard(QWizard):
    """``operator_id`` preselects the person (the People page's selection, or after a sudden departure)."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, operator_id: str | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.people: dict[str, Person] = {}
        self.result: RevocationResult | None = None
        self.working = False
        self.setWindowTitle(_("Revoke access"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(600, 460)
        name_buttons(self, commit=_("Revoke access"), finish=_("Finish"))
        self.choose_page = ChoosePage(self)
        self.confirm_page = ConfirmPage(self)
        self.result_page = ResultPage(self)
        for page in (self.choose_page, self.confirm_page, self.result_page):
            self.addPage(page)
        lurah_id = state.ctx.operator_id if state.ctx else None
        state.run(lambda ctx: [p for p in list_people(ctx) if revocable(p, lurah_id)],
                  lambda people: self._loaded(people, operator_id))

    def _loaded(self, people: list[Person], chosen: str | None) -> None:
        self.people = {p.id: p for p in people}
        self.choose_page.fill(people, chosen)

    def person(self) -> Person | None:
        return self.people.get(self.choose_page.chosen_id() or "")

    def revoke(self, on_done, on_error) -> None:
        operator_id, reason = self.choose_page.chosen_id(), self.choose_page.reason_text()
        approval = self.confirm_page.fields.approval()
        self.working = True

        def done(result: RevocationResult) -> None:
            self.working = False
            self.result = result
            self.setOption(QWizard.WizardOption.NoCancelButton, True)
            # Their work moved to the pool: the lists showing it refresh as well.
            for what in (PROPOSALS, COMPLAINTS):
                self.state.changed.emit(what)
            on_done(result)

        def failed(error: BaseException) -> None:
            self.working = False
            on_error(error)

        def step(ctx):
            confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.REVOKE,
                                                 subject=operator_id, totp_code=approval.totp_code)
            return operators.revoke_operator(ctx, operator_id, reason=reason, confirmation=confirmation)

        self.state.run(step, done, on_error=failed, changes=PEOPLE)

    def reject(self) -> None:
        if self.working:
            return  # a re-key is running; its outcome must be seen
        super().reject()
