"""Writing a playbook page: title, text, an optional Dinsos return reason; saved as a new version."""

from __future__ import annotations

import re
import unicodedata

from app.errors import UsulkanError
from app.i18n import _
from app.services.playbook import PageView, known_return_reason_codes, list_pages, save_page
from app.ui.editor.messages import ERROR_STYLE
from app.ui.editor.prompts import Prompts
from app.ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.state import AppState

PLAYBOOK = "playbook"  # what AppState.changed says after the playbook was written
# As Dinsos writes its codes (app/sync/status.py): the page must match them letter for letter.
REASON_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
SLUG_LENGTH = 60


def new_slug(title: str, taken: set[str]) -> str:
    """A page's address from its title ('Foto rumah buram' -> 'foto-rumah-buram'), unused so far."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:SLUG_LENGTH].strip("-") or "halaman"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class PageForm(QWidget):
    """The fields of one page. An error shows under them; what was typed stays until it is saved."""

    saved = Signal(object)  # the PageView as saved
    closed = Signal()  # saved, or left without saving

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.slug: str | None = None
        self._start: tuple[str, str, str] = ("", "", "")
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.title = QLineEdit()
        self.title.setPlaceholderText(_("For example: How we run the muskel"))
        self.code = QComboBox()
        self.code.setEditable(True)
        self.code.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.code.lineEdit().setPlaceholderText(_("None: this page does not explain a return reason"))
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(_("Plain text or Markdown: # heading, - list, **bold**"))
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.save_button = QPushButton(_("Save (Ctrl+S)"))
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        form = QFormLayout()
        form.addRow(_("Title"), self.title)
        form.addRow(_("Dinsos return reason"), self.code)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    # --- starting -------------------------------------------------------------------

    def start(self, page: PageView | None, *, code: str | None = None, title: str = "", body: str = "") -> None:
        """Edit ``page``, or write a new one (optionally explaining return reason ``code``)."""
        self.slug = page.slug if page else None
        self.heading.setText(_("Edit the page") if page else _("New page"))
        self.title.setText(page.title if page else title)
        self.body.setPlainText(page.body if page else body)
        self._set_code(page.return_reason_code if page else code)
        self._start = self.values()
        self.message.clear()
        self.message.hide()
        self.title.setFocus()
        self.state.run(known_return_reason_codes, self._fill_codes)

    def _set_code(self, code: str | None) -> None:
        self.code.setEditText(code or "")

    def _fill_codes(self, codes: list[str]) -> None:
        typed = self.code.currentText()
        self.code.blockSignals(True)
        self.code.clear()
        self.code.addItem("")
        self.code.addItems(codes)
        self.code.setEditText(typed)
        self.code.blockSignals(False)

    # --- values ---------------------------------------------------------------------

    def values(self) -> tuple[str, str, str]:
        return self.title.text(), self.body.toPlainText(), self.code.currentText().strip()

    def is_changed(self) -> bool:
        return self.values() != self._start

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    # --- saving ---------------------------------------------------------------------

    def save(self) -> None:
        title, body, code = self.values()
        if not title.strip():
            self.show_message(_("Give the page a title."))
            self.title.setFocus()
            return
        if not body.strip():
            self.show_message(_("Write the page's text."))
            self.body.setFocus()
            return
        if code and not REASON_CODE.match(code):
            self.show_message(_("A return reason is written as Dinsos writes its code: lower-case letters, digits "
                                "and _ . - (for example foto_rumah_buram)."))
            self.code.setFocus()
            return
        slug = self.slug

        def work(ctx) -> PageView:
            chosen = slug or new_slug(title, {p.slug for p in list_pages(ctx)})
            return save_page(ctx, slug=chosen, title=title, body=body, return_reason_code=code or None)

        self.state.run(work, self._saved, on_error=self._failed, changes=PLAYBOOK)

    def _saved(self, view: PageView) -> None:
        self.slug = view.slug
        self._start = self.values()
        self.message.hide()
        self.saved.emit(view)
        self.closed.emit()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, UsulkanError):
            self.show_message(error.message())
        else:
            self.state.failed.emit(error)

    def cancel(self) -> None:
        if self.is_changed() and not self.prompts.confirm(
            _("Leave without saving"), _("Leave this page without saving what you typed?"), yes=_("Leave")
        ):
            return
        self.closed.emit()
