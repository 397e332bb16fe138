"""Page 3: hand over and write the signed record off the GUI thread, then save the PDF."""

from __future__ import annotations

from app.i18n import _, n_
from app.ui.errors import error_text
from app.ui.handover_wizard import steps
from app.ui.handover_wizard.model import HandoverModel
from app.ui.handover_wizard.pdf_file import PdfSaver
from app.ui.handover_wizard.session import HandoverSession
from app.ui.handover_wizard.table import show_message
from app.ui.qt import QLabel, QProgressBar, QPushButton, Qt, QVBoxLayout, QWizard, QWizardPage
from app.ui.state import COMPLAINTS, PROPOSALS, AppState


class PerformPage(QWizardPage):
    """The work moves in one step (all of it or none), the record is signed, the PDF can be saved."""

    def __init__(self, session: HandoverSession, model: HandoverModel, state: AppState, saver: PdfSaver) -> None:
        super().__init__()
        self.session, self.model, self._state, self._saver = session, model, state, saver
        self.running = False
        self.setTitle(_("Handing over"))
        self.setSubTitle(_("The work moves in one step: all of it or, if anything fails, none of it."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("Continue to the Lurah"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.fingerprint = QLabel()
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature = QLabel()
        self.signature.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.retry = QPushButton(_("Try again"))
        self.retry.clicked.connect(self.start)
        self.retry.hide()
        self.save_button = QPushButton(_("Save the report as PDF ..."))
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.save_button.setEnabled(False)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (self.status, self.progress, self.retry, self.fingerprint, self.signature):
            layout.addWidget(widget)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        if not self.session.handed_over and not self.running:
            self.start()

    def start(self) -> None:
        session = self.session
        from_operator, successor = session.from_operator, session.successor
        assignments, notes = self.model.assignments(), self.model.notes()
        self.running = True
        self.retry.hide()
        self.progress.show()
        show_message(self.status, n_("Handing over {count} item ...", "Handing over {count} items ...", len(assignments)).format(count=len(assignments)))
        self._state.run(lambda ctx: steps.hand_over(ctx, from_operator, assignments, notes, successor), self._done,
                        on_error=self._failed, changes=PROPOSALS)

    def _done(self, result) -> None:
        self.running = False
        self.progress.hide()
        self.session.recorded(*result)
        self._state.changed.emit(COMPLAINTS)
        view = self.session.view
        show_message(self.status, n_("{count} item was handed over and the report was recorded.", "{count} items were handed over and the report was recorded.", len(view.items)).format(
            count=len(view.items)))
        self.fingerprint.setText(_("Report fingerprint: {hash}").format(hash=view.short_hash))
        self.signature.setText(_("Signed with your operator key.") if view.operator_signed else
                               _("Not signed by key: {name} has no certified operator key. The printed report "
                                 "says so; sign it by hand.").format(name=view.from_name))
        self.save_button.setEnabled(True)
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.progress.hide()
        # Nothing moved; the targets and notes are still in the list (Back) and can be sent again.
        show_message(self.status, error_text(error) + " " + _("Your notes are kept: go back to change them, or try again."),
                     error=True)
        self.retry.show()
        self.completeChanged.emit()

    def save_pdf(self, path=None):
        return self._saver.save(self.session, self.saved, path)

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.session.handed_over
