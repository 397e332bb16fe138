"""Pengaturan, printed documents: the receipt's paper size and the office address and phone they carry."""

from __future__ import annotations

from app.i18n import _
from app.services.letterhead import Letterhead, letterhead, set_contact
from app.ui.errors import error_text
from app.ui.qt import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget
from app.ui.settings_store import RECEIPT_PAPER, SETTINGS_CHANGED, Settings
from app.ui.state import OFFICE, AppState

PAPER_LABELS = (("A5", "A5 (148 \u00d7 210 mm)"), ("A4", "A4 (210 \u00d7 297 mm)"))


class PrintBox(QGroupBox):
    """Bound to the declared option (paper) and the office's letterhead (address, phone)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(_("Printed documents"), parent)
        self.state = state
        self.settings = Settings()
        self.paper = QComboBox()
        for code, label in PAPER_LABELS:
            self.paper.addItem(label, code)
        self.paper.setCurrentIndex(max(0, self.paper.findData(self.settings.receipt_paper())))
        self.paper.currentIndexChanged.connect(self._paper_chosen)
        self.address = QLineEdit()
        self.address.setPlaceholderText(_("e.g. Jl. Raya Bugul Kidul No. 1, Pasuruan 67121"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("(0343) 424242")
        self.save_button = QPushButton(_("Save address and phone"))
        self.save_button.clicked.connect(self.save_contact)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        note = QLabel(_("Printed under the office's name on the citizen's receipt and the BNBA list, so people know "
                        "where to come back and whom to call."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow(_(RECEIPT_PAPER.title), self.paper)
        form.addRow(_("Office address"), self.address)
        form.addRow(_("Office phone"), self.phone)
        form.addRow("", note)
        form.addRow("", buttons)
        form.addRow("", self.message)
        state.signed_in.connect(self.load)
        self.load()

    def load(self) -> None:
        if self.state.ctx is not None:
            self.state.run(letterhead, self._show)

    def _show(self, head: Letterhead) -> None:
        self.address.setText(head.address)
        self.phone.setText(head.phone)

    def _paper_chosen(self, _index: int) -> None:
        self.settings.set(RECEIPT_PAPER, self.paper.currentData())
        self.state.changed.emit(SETTINGS_CHANGED)

    def _say(self, text: str, *, ok: bool) -> None:
        self.message.setObjectName("okText" if ok else "errorText")
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def save_contact(self) -> None:
        address, phone = self.address.text(), self.phone.text()

        def saved(head: Letterhead) -> None:
            self._show(head)
            self._say(_("Saved. The next receipt and BNBA list carry it."), ok=True)

        self.state.run(lambda ctx: set_contact(ctx, address=address, phone=phone), saved,
                       on_error=lambda error: self._say(error_text(error), ok=False), changes=OFFICE)
