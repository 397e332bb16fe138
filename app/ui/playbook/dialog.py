"""A playbook page in a window of its own, read or written: opened beside a proposal Dinsos returned."""

from __future__ import annotations

from app.i18n import _
from app.services.playbook import PageView
from app.ui.playbook.form import PageForm
from app.ui.playbook.reader import PageReader
from app.ui.qt import (
    QDialog,
    QHBoxLayout,
    QKeySequence,
    QPushButton,
    QShortcut,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from app.ui.screen_fit import fit_to_screen
from app.ui.state import AppState


class PlaybookDialog(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Office playbook"))
        fit_to_screen(self, 720, 560)
        self.view: PageView | None = None
        self.reader = PageReader()
        self.form = PageForm(state)
        self.form.saved.connect(self.show_page)
        self.form.closed.connect(self._form_closed)
        self.edit_button = QPushButton(_("Edit this page"))
        self.edit_button.setAutoDefault(False)
        self.edit_button.clicked.connect(self.edit)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)
        reading = QWidget()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(close)
        column = QVBoxLayout(reading)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.reader, 1)
        column.addLayout(buttons)
        self.stack = QStackedWidget()
        self.stack.addWidget(reading)
        self.stack.addWidget(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        QShortcut(QKeySequence.StandardKey.Save, self, self._save)

    @property
    def editing(self) -> bool:
        return self.stack.currentWidget() is self.form

    def show_page(self, view: PageView) -> None:
        self.view = view
        self.reader.show_page(view)
        self.stack.setCurrentIndex(0)

    def edit(self) -> None:
        if self.view is not None:
            self.form.start(self.view)
            self.stack.setCurrentWidget(self.form)

    def write(self, code: str, title: str = "") -> None:
        """A new page explaining return reason ``code``: the code is set, the title suggested."""
        self.view = None
        self.form.start(None, code=code, title=title)
        self.stack.setCurrentWidget(self.form)

    def _save(self) -> None:
        if self.editing:
            self.form.save()

    def _form_closed(self) -> None:
        if self.view is None:
            QDialog.reject(self)  # a new page left unwritten (already asked): nothing to read here
        else:
            self.stack.setCurrentIndex(0)

    def reject(self) -> None:
        # Escape or Close while writing: never lose the typing without asking.
        if self.editing and self.form.is_changed() and not self.form.prompts.confirm(
            _("Leave without saving"), _("Leave this page without saving what you typed?"), yes=_("Leave")
        ):
            return
        super().reject()
