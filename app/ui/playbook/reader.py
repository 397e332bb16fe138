"""One playbook page made readable: its title, who last edited it and when, its text as Markdown."""

from __future__ import annotations

from app.clock import format_wib
from app.i18n import _
from app.services.playbook import PageView
from app.ui.qt import QLabel, QTextBrowser, QVBoxLayout, QWidget


def page_meta(view: PageView) -> str:
    """'Version 3, last edited by Ani on 01-02-2025 10:00 WIB', plus the return reason it explains."""
    line = _("Version {version}, last edited by {name} on {when}").format(
        version=view.version, name=view.updated_by_name or _("(unknown)"), when=format_wib(view.updated_at))
    if view.return_reason_code:
        line += " \u00b7 " + _("Explains Dinsos return reason {code}").format(code=view.return_reason_code)
    return line


class PageReader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("pageHeading")
        self.title.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setObjectName("hint")
        self.meta.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.text, 1)

    def show_page(self, view: PageView | None) -> None:
        if view is None:
            self.title.setText(_("Choose a page to read it here."))
            self.meta.clear()
            self.text.clear()
            return
        self.title.setText(view.title)
        self.meta.setText(page_meta(view))
        # Pages are written in Markdown or as plain text; plain text reads the same through it.
        self.text.setMarkdown(view.body)

    def body_text(self) -> str:
        return self.text.toPlainText()
