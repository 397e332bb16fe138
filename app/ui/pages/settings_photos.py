"""Pengaturan, photos sent to Dinsos: the long side and JPEG quality they are downscaled to (originals kept)."""

from __future__ import annotations

from app.i18n import _
from app.services.documents_out import LONG_SIDE_RANGE, QUALITY_RANGE, PhotoSettings, photo_settings, set_photo_settings
from app.ui.errors import error_text
from app.ui.people.common import feedback_label, say
from app.ui.qt import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget
from app.ui.state import OFFICE, AppState


class PhotoBox(QGroupBox):
    """Bound to the office's photo settings (kept in the office database, used when a proposal is queued)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(_("Photos sent to Dinsos"), parent)
        self.state = state
        self.long_side = QSpinBox()
        self.long_side.setRange(*LONG_SIDE_RANGE)
        self.long_side.setSingleStep(100)
        self.long_side.setSuffix(" px")
        self.quality = QSpinBox()
        self.quality.setRange(*QUALITY_RANGE)
        self.save_button = QPushButton(_("Save photo settings"))
        self.save_button.clicked.connect(self.save)
        self.message = feedback_label()
        note = QLabel(_("A photo larger than this is made smaller before it is sent, so it arrives quickly on a poor "
                        "line. The original stays in the office, unchanged."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow(_("Long side"), self.long_side)
        form.addRow(_("JPEG quality"), self.quality)
        form.addRow("", note)
        form.addRow("", buttons)
        form.addRow("", self.message)
        self.show_settings(PhotoSettings())
        state.signed_in.connect(self.load)
        self.load()

    def load(self) -> None:
        if self.state.ctx is not None:
            self.state.run(photo_settings, self.show_settings)

    def show_settings(self, settings: PhotoSettings) -> None:
        self.long_side.setValue(settings.long_side)
        self.quality.setValue(settings.quality)

    def save(self) -> None:
        long_side, quality = self.long_side.value(), self.quality.value()

        def saved(settings: PhotoSettings) -> None:
            self.show_settings(settings)
            say(self.message, _("Saved. Proposals queued from now on use these settings."), ok=True)

        def failed(error: BaseException) -> None:
            say(self.message, error_text(error), ok=False)

        self.state.run(lambda ctx: set_photo_settings(ctx, long_side=long_side, quality=quality), saved,
                       on_error=failed, changes=OFFICE)
