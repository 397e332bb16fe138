"""The handover wizard: the four pages in order over one ``HandoverSession`` and one ``HandoverModel``."""

from __future__ import annotations

from app.i18n import _, n_
from app.services import lurah as lurah_service
from app.ui.editor.prompts import Prompts
from app.ui.handover_wizard.lurah_page import LurahPage
from app.ui.handover_wizard.model import HandoverModel
from app.ui.handover_wizard.pdf_file import PdfSaver
from app.ui.handover_wizard.perform_page import PerformPage
from app.ui.handover_wizard.review_page import ReviewPage
from app.ui.handover_wizard.session import HandoverSession
from app.ui.handover_wizard.work_page import WorkPage
from app.ui.qt import QAbstractItemView, QWidget, QWizard
from app.ui.state import AppState


class HandoverWizard(QWizard):
    """Hand over ``from_operator``'s open work (default: the person signed in); the Lurah may do it for them."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, from_operator: str | None = None,
                 open_files: bool = True) -> None:
        super().__init__(parent)
        ctx = state.ctx
        if ctx is None:
            raise RuntimeError("no office is open")
        from_operator = from_operator or ctx.operator_id
        self.session = HandoverSession(
            from_operator=from_operator, from_name=ctx.operator_name if from_operator == ctx.operator_id else "")
        self.prompts = Prompts(self)
        self.model = HandoverModel(self)
        saver = PdfSaver(self.prompts, open_files=open_files)  # tests and the benchmark do not launch a viewer
        self.setWindowTitle(_("Handover of open work"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(900, 620)
        for button, text in (
            (QWizard.WizardButton.BackButton, _("< Back")),
            (QWizard.WizardButton.NextButton, _("Next >")),
            (QWizard.WizardButton.FinishButton, _("Finish")),
            (QWizard.WizardButton.CancelButton, _("Cancel")),
        ):
            self.setButtonText(button, text)
        self.work_page = WorkPage(self.session, self.model, state)
        self.review_page = ReviewPage(self.model)
        self.perform_page = PerformPage(self.session, self.model, state, saver)
        self.lurah_page = LurahPage(self.session, state, saver, needs_code=lurah_service.needs_code(ctx))
        for page in (self.work_page, self.review_page, self.perform_page, self.lurah_page):
            self.addPage(page)

    def reject(self) -> None:
        if self.session.handed_over and self.currentPage() is not self.lurah_page:
            return  # handed over: leave through the Lurah's page, so the report is never lost from view
        if not self.session.handed_over and not self._may_discard_notes():
            return
        super().reject()

    def written_notes(self) -> int:
        """How many notes Cancel would throw away: the list's, one still in its cell, the bulk line."""
        table = self.work_page.table
        if table.state() == QAbstractItemView.State.EditingState:
            editor = table.indexWidget(table.currentIndex())
            if editor is not None:
                table.commitData(editor)
        return len(self.model.notes()) + bool(self.work_page.bulk_note.text().strip())

    def _may_discard_notes(self) -> bool:
        """Cancel (Batal, Esc, the window's close box) asks before written notes are lost."""
        count = self.written_notes()
        if not count:
            return True
        return self.prompts.confirm(
            _("Discard the notes?"),
            n_("You wrote {count} note that is not handed over yet. Close the handover and throw it away?",
               "You wrote {count} notes that are not handed over yet. Close the handover and throw "
               "them away?", count).format(count=count),
            yes=_("Discard the notes"),
        )
