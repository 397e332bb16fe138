"""Saving the handover report's PDF: where (asked, with a default name), written privately, opened if wanted."""

from __future__ import annotations

from pathlib import Path

from app.i18n import _
from app.ui.editor.prompts import Prompts
from app.ui.handover_pdf import default_file_name
from app.ui.handover_wizard.session import HandoverSession
from app.ui.handover_wizard.table import show_message
from app.ui.qt import QDesktopServices, QLabel, QUrl
from app.ui.receipt_pdf import write_private


class PdfSaver:
    """Writes the session's current PDF; ``open_files`` False in tests and the benchmark (no viewer)."""

    def __init__(self, prompts: Prompts, *, open_files: bool = True) -> None:
        self.prompts = prompts
        self.open_files = open_files

    def save(self, session: HandoverSession, label: QLabel, path: str | Path | None = None) -> Path | None:
        if session.pdf is None or session.view is None:
            return None
        if path is None:
            suggested = str(Path.home() / default_file_name(session.view))
            path = self.prompts.save_file(_("Save the handover report"), suggested, _("PDF documents (*.pdf)"))
            if path is None:
                return None
        path = Path(path)
        try:
            write_private(path, session.pdf)
        except OSError:
            show_message(label, _("The file could not be written. Choose another folder, or close the file if it is open."),
                         error=True)
            return None
        show_message(label, _("Saved to {path}.").format(path=str(path)))
        if self.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path
