"""The wizard's last page: the Lurah's recovery code, shown once and saved as a printable PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.i18n import _
from app.ui.errors import error_text
from app.ui.qt import QCheckBox, QFileDialog, QLabel, QPushButton, Qt, QVBoxLayout, QWizardPage
from app.ui.recovery_sheet import write_recovery_sheet
from app.ui.wizard.basics import heading

if TYPE_CHECKING:
    from app.ui.wizard.office_wizard import OfficeWizard


class RecoveryPage(QWizardPage):
    """The recovery code, shown once; finishing needs the operator to say it is kept."""

    def __init__(self, wizard: OfficeWizard) -> None:
        super().__init__()
        self._wizard = wizard
        heading(
            self,
            _("The Lurah's recovery code"),
            _("It opens the office when every passphrase is forgotten. It is shown only this once."),
        )
        self.code = QLabel()
        self.code.setObjectName("recoveryCode")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton(_("Save as PDF for printing"))
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.saved = QLabel()
        self.saved.setObjectName("okText")
        self.saved.setWordWrap(True)
        self.confirm = QCheckBox(_("I have printed or saved this code"))
        self.confirm.toggled.connect(lambda _on: self.completeChanged.emit())
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        note = QLabel(
            _("Give the printed sheet to the Lurah to keep in a locked place. Anyone holding this code "
              "can open every record of the office.")
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code)
        layout.addWidget(note)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved)
        layout.addStretch(1)
        layout.addWidget(self.confirm)
        layout.addWidget(self.message)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        created = self._wizard.created
        self.code.setText(created.recovery_code if created else "")

    def save_pdf(self, path=None) -> None:
        created = self._wizard.created
        if created is None:
            return
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save the recovery sheet"), "kode-pemulihan-usulkan.pdf", _("PDF documents (*.pdf)")
            )
            if not path:
                return
        try:
            write_recovery_sheet(
                path,
                office_name=self._wizard.village_page.office_name.text().strip(),
                village=self._wizard.village_page.village_description(),
                code=created.recovery_code,
            )
        except OSError as error:
            self.saved.setText("")
            self.message.setText(error_text(error))
            return
        self.saved.setText(_("Saved to {path}. Print it now, then delete the file.").format(path=path))

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.confirm.isChecked() and not self._wizard.opening

