"""The first-run wizard itself: its pages in order, creating the office and opening it on Finish.

Creation calibrates Argon2id and derives three keys, which takes seconds, so it runs off the
GUI thread. The passphrases live only in the wizard's fields until the office is open.
"""

from __future__ import annotations

from app.domain.regions import RegionIndex, default_regions
from app.i18n import _
from app.services.context import OfficeContext
from app.services.office import CreatedOffice, create_office, open_office
from app.ui.errors import error_text
from app.ui.qt import QDialog, QWidget, QWizard
from app.ui.state import AppState
from app.ui.wizard.basics import ServerPage, WelcomePage
from app.ui.wizard.create import CreatePage
from app.ui.wizard.person import PersonPage
from app.ui.wizard.recovery import RecoveryPage
from app.ui.wizard.village import VillagePage


class OfficeWizard(QWizard):
    """On Finish, opens the new office as its first operator: ``self.ctx``."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *,
                 regions: RegionIndex | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.created: CreatedOffice | None = None
        self.ctx: OfficeContext | None = None
        self.opening = False
        self.setWindowTitle(_("New office"))  # Qt appends "\u2014 Usulkan"
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(640, 520)
        # Qt ships no Indonesian for its own buttons; name them ourselves.
        for button, text in (
            (QWizard.WizardButton.BackButton, _("< Back")),
            (QWizard.WizardButton.NextButton, _("Next >")),
            (QWizard.WizardButton.CommitButton, _("Create the office")),
            (QWizard.WizardButton.FinishButton, _("Finish and sign in")),
            (QWizard.WizardButton.CancelButton, _("Cancel")),
        ):
            self.setButtonText(button, text)

        self.welcome_page = WelcomePage()
        self.village_page = VillagePage(state, regions or default_regions())
        self.lurah_page = PersonPage(
            _("The Lurah"),
            _("The Lurah enrols operators and keeps the recovery code. The Lurah types this passphrase now."),
            _("Lurah's name"),
        )
        self.operator_page = PersonPage(
            _("The first operator"),
            _("The person who will enter proposals. They type their own passphrase now."),
            _("Operator's name"),
        )
        self.operator_page.other_passphrase = self.lurah_page
        self.server_page = ServerPage()
        self.create_page = CreatePage(self)
        self.recovery_page = RecoveryPage(self)
        # A reinstalled PC: the office comes back from its backup instead of being made anew.
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, _("Restore from a backup"))
        self.customButtonClicked.connect(lambda _which: self.restore_from_backup())
        for page in (self.welcome_page, self.village_page, self.lurah_page, self.operator_page,
                     self.server_page, self.create_page, self.recovery_page):
            self.addPage(page)

    def create(self, on_done, on_error) -> None:
        """Start create_office off the GUI thread with what the pages hold."""
        folder, kdf = self.state.data_dir, self.state.kdf
        args = dict(
            name=self.village_page.office_name.text().strip(),
            village_code=self.village_page.code,
            lurah_name=self.lurah_page.name.text().strip(),
            lurah_passphrase=self.lurah_page.passphrase.text(),
            operator_name=self.operator_page.name.text().strip(),
            operator_passphrase=self.operator_page.passphrase.text(),
            server_url=self.server_page.url.text().strip() or None,
        )

        def done(created: CreatedOffice) -> None:
            self.created = created
            self.setOption(QWizard.WizardOption.NoCancelButton, True)
            # The Lurah's passphrase is in the vault now; the wizard need not hold it any longer.
            self.lurah_page.passphrase.clear()
            self.lurah_page.again.clear()
            on_done(created)

        self.state.run_plain(lambda: create_office(folder, kdf=kdf, **args), done, on_error)

    def restore_from_backup(self, prompts=None) -> None:
        from app.ui.restore_dialog import RestoreDialog

        if self.created is not None:
            return  # an office was just made here: it is the one to keep
        self.restore_dialog = RestoreDialog(self.state, self, prompts)
        if self.restore_dialog.exec() == QDialog.DialogCode.Accepted and self.restore_dialog.ctx is not None:
            self.ctx = self.restore_dialog.ctx
            super().accept()

    def accept(self) -> None:
        """Finish: open the new office as its operator, then close."""
        if self.ctx is not None:
            super().accept()
            return
        if self.created is None or self.opening:
            return
        self.opening = True
        self.recovery_page.completeChanged.emit()
        self.recovery_page.message.setText("")
        folder, operator_id = self.state.data_dir, self.created.operator_id
        passphrase = self.operator_page.passphrase.text()
        self.state.run_plain(lambda: open_office(folder, operator_id, passphrase), self._opened, self._open_failed)

    def _opened(self, ctx: OfficeContext) -> None:
        self.opening = False
        self.ctx = ctx
        self.operator_page.passphrase.clear()
        self.operator_page.again.clear()
        super().accept()

    def _open_failed(self, error: BaseException) -> None:
        self.opening = False
        self.recovery_page.completeChanged.emit()
        self.recovery_page.message.setText(error_text(error))

    def reject(self) -> None:
        # After creation the code must be acknowledged: Esc or the close box must not lose it.
        if self.created is not None:
            return
        super().reject()

