"""The counter: a citizen gives a NIK or tracking code and hears where the proposal is, in plain words."""

from __future__ import annotations

import re
from pathlib import Path

from app.clock import format_wib
from app.domain.nik import is_ascii_digits, normalise_nik
from app.domain.tracking import InvalidTrackingCode, normalise_tracking_code
from app.domain.workflow import KIND_LABELS, ProposalKind, state_label
from app.errors import UsulkanError
from app.i18n import N_, _
from app.services.citizen import find_for_citizen, receipt_data
from app.ui.editor.prompts import Prompts
from app.ui.qt import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPrintDialog,
    QPrinter,
    QPushButton,
    QScrollArea,
    QShortcut,
    QStandardPaths,
    QVBoxLayout,
    QWidget,
)
from app.ui.receipt_pdf import new_receipt_printer, print_receipt, receipt_pdf
from app.ui.settings_store import RECEIPT_FOLDER, Settings
from app.ui.state import AppState


def entry_problem(text: str) -> str | None:
    """What is wrong with what was typed, before asking the database (None when it can be looked up)."""
    digits = normalise_nik(text)
    if is_ascii_digits(digits):
        return None if len(digits) == 16 else _("A NIK has 16 digits; this has {count}.").format(count=len(digits))
    try:
        normalise_tracking_code(text)
    except InvalidTrackingCode as error:
        return error.message()
    return None


class ResultCard(QFrame):
    """One proposal as the citizen should hear it."""

    def __init__(self, status, on_print, on_pdf, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.status = status
        code = QLabel(f"<b>{status.tracking_code}</b> · {_(KIND_LABELS[ProposalKind(status.kind)])}")
        state = QLabel(f"<b>{state_label(status.state)}</b>")
        self.explanation = QLabel(status.explanation)
        self.explanation.setWordWrap(True)
        who = QLabel(_("Head of family: {name} · last change {when}").format(
            name=status.head_name_masked, when=format_wib(status.updated_at)))
        layout = QVBoxLayout(self)
        layout.addWidget(code)
        layout.addWidget(state)
        layout.addWidget(self.explanation)
        layout.addWidget(who)
        for reason in status.returned_reasons:
            returned = QLabel(_("Returned by the Dinas Sosial because: {reason}").format(reason=reason))
            returned.setWordWrap(True)
            layout.addWidget(returned)
        self.print_button = QPushButton(_("Print receipt…"))
        self.print_button.setToolTip(_("Choose a printer and print the receipt now"))
        self.print_button.clicked.connect(lambda: on_print(status.proposal_id))
        self.pdf_button = QPushButton(_("Receipt as PDF"))
        self.pdf_button.setToolTip(_("Save the receipt as a PDF file, to send it or print it later"))
        self.pdf_button.clicked.connect(lambda: on_pdf(status.proposal_id))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.pdf_button)
        row.addWidget(self.print_button)
        layout.addLayout(row)


class CounterPage(QWidget):
    title = N_("Counter")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.cards: list[ResultCard] = []
        self.last_receipt = None  # the path of the last receipt saved (tests read it)
        # Asks which printer (None: the operator cancelled); tests swap it for a PDF-format QPrinter.
        self.choose_printer = self._ask_printer

        heading = QLabel(_("Counter: where is my proposal?"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("NIK or tracking code"))
        big = self.search.font()
        big.setPointSizeF(big.pointSizeF() * 1.8)
        self.search.setFont(big)
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.look_up)
        button = QPushButton(_("Find"))
        button.clicked.connect(self.look_up)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.results = QVBoxLayout()
        self.results.addStretch(1)
        holder = QWidget()
        holder.setLayout(self.results)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)

        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def look_up(self) -> None:
        text = self.search.text().strip()
        self._clear()
        if not text:
            return
        problem = entry_problem(text)
        if problem:
            self.message.setText(problem)
            return
        self.message.setText(_("Searching…"))
        self.state.run(lambda ctx: find_for_citizen(ctx, text), self._show, on_error=self._failed)

    def _clear(self) -> None:
        for card in self.cards:
            self.results.removeWidget(card)
            card.deleteLater()
        self.cards = []
        self.message.clear()

    def _show(self, statuses) -> None:
        self._clear()
        if not statuses:
            self.message.setText(_("No proposal was found for this NIK or tracking code."))
            return
        for status in statuses:
            card = ResultCard(status, self.print_receipt, self.receipt_as_pdf)
            self.results.insertWidget(self.results.count() - 1, card)
            self.cards.append(card)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, UsulkanError):
            self.message.setText(error.message())
        else:
            self.state.failed.emit(error)

    def print_receipt(self, proposal_id: str) -> None:
        """Ask for a printer and print the receipt on it directly."""
        self.state.run(lambda ctx: receipt_data(ctx, proposal_id), self._print, on_error=self._failed)

    def _ask_printer(self) -> QPrinter | None:
        printer = new_receipt_printer(Settings().receipt_paper())
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Print the receipt"))
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _print(self, receipt) -> None:
        printer = self.choose_printer()
        if printer is None:
            return
        if print_receipt(receipt, printer):
            self.message.setText(_("Receipt {code} sent to the printer.").format(code=receipt.tracking_code))
        else:
            self.message.setText(_("The printer could not be opened. Check that it is on and connected, "
                                   "or use \"Receipt as PDF\" instead."))

    def receipt_as_pdf(self, proposal_id: str) -> None:
        """Render the receipt and save it where the operator says (a sensible folder and name offered)."""
        self.state.run(lambda ctx: receipt_data(ctx, proposal_id), self._save_receipt, on_error=self._failed)

    def _save_receipt(self, receipt) -> None:
        suggested = receipt_folder() / f"tanda-terima-{receipt.tracking_code}.pdf"
        path = self.prompts.save_file(_("Save the receipt as PDF"), str(suggested), _("PDF documents (*.pdf)"))
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            path.write_bytes(receipt_pdf(receipt, paper=Settings().receipt_paper()))
        except OSError:
            self.message.setText(_("The receipt could not be saved in {folder}. Choose another folder, "
                                   "or close the file if it is open.").format(folder=str(path.parent)))
            return
        Settings().set(RECEIPT_FOLDER, str(path.parent))
        self.last_receipt = path
        self.message.setText(_("Receipt {code} saved as {path}.").format(code=receipt.tracking_code, path=str(path)))


def receipt_folder() -> Path:
    """Where the last receipt was saved, else the Documents folder, else the home folder."""
    last = Settings().get(RECEIPT_FOLDER)
    if last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()
