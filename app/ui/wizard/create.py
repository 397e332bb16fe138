"""The wizard's commit page: create the office (seconds of key derivation) off the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.i18n import _
from app.services.office import CreatedOffice
from app.ui.errors import error_text
from app.ui.qt import QLabel, QProgressBar, QPushButton, Qt, QTimer, QVBoxLayout, QWizardPage
from app.ui.wizard.basics import heading

if TYPE_CHECKING:
    from app.ui.wizard.office_wizard import OfficeWizard


class CreatePage(QWizardPage):
    """Runs create_office off the GUI thread; moves on by itself when the office exists."""

    def __init__(self, wizard: OfficeWizard) -> None:
        super().__init__()
        self._wizard = wizard
        heading(self, _("Creating the office"), _("Preparing the encryption keys. This can take a few seconds."))
        self.setCommitPage(True)  # once created there is no going back to change the passphrases
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.retry = QPushButton(_("Try again"))
        self.retry.clicked.connect(self.start)
        self.retry.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.retry, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        if self._wizard.created is None:
            self.start()

    def start(self) -> None:
        self.retry.hide()
        self.status.setObjectName("")
        self.status.setText(_("Creating the office and its encryption keys ..."))
        self.progress.show()
        self._wizard.create(self._done, self._failed)

    def _done(self, _created: CreatedOffice) -> None:
        self.progress.hide()
        self.status.setText(_("The office is ready."))
        self.completeChanged.emit()
        # Not from inside initializePage (InlineRunner finishes there): after the event loop turns.
        QTimer.singleShot(0, self._advance)

    def _advance(self) -> None:
        if self._wizard.currentPage() is self:
            self._wizard.next()

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.status.setText(error_text(error))
        self.retry.show()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self._wizard.created is not None

