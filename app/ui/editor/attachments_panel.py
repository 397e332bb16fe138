"""A proposal's documents: drop or pick a file, see a photo, open a PDF in the system viewer."""

from __future__ import annotations

from pathlib import Path

from app.clock import format_wib
from app.errors import UsulkanError
from app.i18n import N_, _, p_
from app.services.attachments import attach_to_proposal, list_attachments, read_attachment
from app.ui.editor.messages import ERROR_STYLE
from app.ui.editor.prompts import DOCUMENT_FILTER, Prompts
from app.ui.qt import (
    QComboBox,
    QDesktopServices,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QStyle,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import ATTACHMENTS, AppState
from app.ui.viewer import write_for_viewer

KIND_LABELS = {
    "kk": N_("Kartu Keluarga"),
    "ktp": N_("KTP"),
    "muskel_minutes": N_("Muskel minutes (berita acara)"),
    "sptjm": N_("SPTJM"),
    "house_photo": N_("Photo of the house"),
    "ground_check": N_("Ground-check form"),
    "other": N_("Other document"),
}
# Only Dinsos attaches these (a return file); the office never picks them from the list of kinds.
DINSOS_KIND_LABELS = {"decree": N_("Walikota's decree (SK)")}
# A little over the service's 10 MB limit: enough for it to say "too large", never a whole disk.
READ_LIMIT = 10 * 1024 * 1024 + 1


def read_limited(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(READ_LIMIT)


class AttachmentsPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.proposal_id: str | None = None
        self.prompts = Prompts(self)
        self.setAcceptDrops(True)
        self._current: tuple[str, bytes] | None = None
        self.open_url = QDesktopServices.openUrl  # tests swap it so no viewer starts
        self.last_opened: Path | None = None  # the copy last handed to the viewer (tests read it)

        self.kind = QComboBox()
        for code, label in KIND_LABELS.items():
            self.kind.addItem(_(label), code)
        self.add_button = QPushButton(_("Attach a file…"))
        self.add_button.clicked.connect(self._pick)
        self.hint = QLabel(_("Or drop a PDF, JPEG or PNG file (at most 10 MB) here."))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda item, _prev: self._preview(item))
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(260, 260)
        self.open_button = QPushButton(p_("button", "Open"))
        self.open_button.clicked.connect(self._open_current)
        self.open_button.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Document kind")))
        top.addWidget(self.kind)
        top.addWidget(self.add_button)
        top.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(self.preview, 1)
        side.addWidget(self.open_button)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addLayout(body, 1)
        self.set_proposal(None)
        state.changed.connect(lambda what: what == ATTACHMENTS and self.refresh())

    def set_proposal(self, proposal_id: str | None) -> None:
        self.proposal_id = proposal_id
        self.add_button.setEnabled(proposal_id is not None)
        self.hint.setText(
            _("Or drop a PDF, JPEG or PNG file (at most 10 MB) here.") if proposal_id
            else _("Save the proposal first, then attach its documents.")
        )
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        if self.proposal_id is None or self.state.ctx is None:
            return
        proposal_id = self.proposal_id
        self.state.run(lambda ctx: list_attachments(ctx, proposal_id), self._show_list)

    def _show_list(self, infos) -> None:
        self.list.clear()
        for info in infos:
            label = KIND_LABELS.get(info.kind) or DINSOS_KIND_LABELS.get(info.kind, info.kind)
            text = f"{_(label)}: {info.filename} · {info.size // 1024} KB · {format_wib(info.created_at)}"
            if info.from_dinsos:
                text = f"{text} · {_('From Dinsos (read-only)')}"
            item = QListWidgetItem(text)
            if info.from_dinsos:
                item.setToolTip(_("Sent back by Dinsos in a return file; it cannot be changed here and is not sent again."))
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.list.addItem(item)

    # --- adding ---------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.proposal_id and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.attach_file(Path(url.toLocalFile()))
        event.acceptProposedAction()

    def _pick(self) -> None:
        path = self.prompts.open_file(_("Attach a file"), DOCUMENT_FILTER)
        if path is not None:
            self.attach_file(path)

    def attach_file(self, path: Path, kind: str | None = None) -> None:
        """Read and store the file off the GUI thread; the service checks type and size."""
        if self.proposal_id is None:
            return
        proposal_id, kind = self.proposal_id, kind or self.kind.currentData()
        self.error.hide()
        self.state.run(
            lambda ctx: attach_to_proposal(ctx, proposal_id, kind=kind, filename=path.name, data=read_limited(path)),
            lambda _info: None,
            on_error=self._show_error,
            changes=ATTACHMENTS,
        )

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            text = _("The file could not be read. Check that it still exists and is not open elsewhere.")
        elif isinstance(error, UsulkanError):
            text = error.message()
        else:
            self.state.failed.emit(error)
            return
        self.error.setText(text)
        self.error.show()

    # --- viewing --------------------------------------------------------------------

    def _preview(self, item) -> None:
        self.preview.clear()
        self.open_button.hide()
        self._current = None
        if item is None:
            return
        attachment_id = item.data(Qt.ItemDataRole.UserRole)
        self.state.run(lambda ctx: read_attachment(ctx, attachment_id), self._show_preview)

    def _show_preview(self, result) -> None:
        info, data = result
        self._current = (info.filename, data)
        if info.mime.startswith("image/"):
            pixmap = QPixmap()
            pixmap.loadFromData(data)
            self.preview.setPixmap(
                pixmap.scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
            )
        else:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
            self.preview.setPixmap(icon.pixmap(96, 96))
        self.open_button.show()

    def _open_current(self) -> None:
        if self._current is None:
            return
        # Into the private viewer folder, emptied at sign-out, close and next start; named by
        # what the bytes are, never by the name the file came with.
        try:
            path = write_for_viewer(*self._current)
        except (UsulkanError, OSError) as error:
            self._show_error(error)
            return
        self.last_opened = path
        self.open_url(QUrl.fromLocalFile(str(path)))
