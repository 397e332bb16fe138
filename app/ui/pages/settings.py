"""Pengaturan: language, Dinsos server address, backup folder, and changing one's own passphrase."""

from __future__ import annotations

from app import i18n
from app.i18n import N_, _
from app.services.office import change_passphrase, server_url, set_server_url
from app.ui.errors import error_text
from app.ui.language import switch_language
from app.ui.pages.settings_dtsen import DtsenBox
from app.ui.pages.settings_photos import PhotoBox
from app.ui.pages.settings_print import PrintBox
from app.ui.pages.settings_update import UpdateBox
from app.ui.qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QFrame,
    QVBoxLayout,
    QWidget,
)
from app.ui.settings_store import (
    IDLE_LOCK_MINUTES,
    LANGUAGE,
    SETTINGS_CHANGED,
    Settings,
    valid_server_url,
)
from app.ui.state import OFFICE, AppState

# Language names are written in their own language: someone who cannot read the current
# one must still find theirs.
LANGUAGE_NAMES = (("id", "Bahasa Indonesia"), ("en", "English"))

ROLE_LABELS = {"lurah": N_("Lurah"), "operator": N_("Operator"), "field_staff": N_("Field staff")}


def _say(label: QLabel, text: str, *, ok: bool) -> None:
    label.setObjectName("okText" if ok else "errorText")
    label.setText(text)
    label.setVisible(bool(text))
    # The object name picks the colour; re-polish so the stylesheet notices the change.
    label.style().unpolish(label)
    label.style().polish(label)


def _message_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.hide()
    return label


class SettingsPage(QWidget):
    title = N_("Settings")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = Settings()

        heading = QLabel(_("Settings"))
        heading.setObjectName("pageHeading")
        self.signed_in_as = QLabel()
        self.signed_in_as.setObjectName("hint")

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(14)
        layout.addWidget(heading)
        layout.addWidget(self.signed_in_as)
        layout.addWidget(self._language_box())
        layout.addWidget(self._server_box())
        layout.addWidget(self._backup_box())
        self.update_box = UpdateBox(state, self.settings)  # app/ui/pages/settings_update.py
        layout.addWidget(self.update_box)
        layout.addWidget(self._lock_box())
        self.print_box = PrintBox(state)
        layout.addWidget(self.print_box)
        self.photo_box = PhotoBox(state)
        layout.addWidget(self.photo_box)
        self.dtsen_box = DtsenBox(state)
        layout.addWidget(self.dtsen_box)
        layout.addWidget(self._passphrase_box())
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        state.signed_in.connect(self._show_operator)
        state.signed_in.connect(self._load_server)
        self._show_operator()
        self._load_server()

    # --- sections -------------------------------------------------------------------

    def _language_box(self) -> QGroupBox:
        box = QGroupBox(_(LANGUAGE.title))
        self.language = QComboBox()
        for code, name in LANGUAGE_NAMES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self.settings.language())))
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.language_note = QLabel(_("The new language is used at once. Open proposal windows are opened "
                                      "again in the new language, with their unsaved typing kept."))
        self.language_note.setObjectName("hint")
        self.language_note.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow(_("Language of the application"), self.language)
        form.addRow("", self.language_note)
        return box

    def _server_box(self) -> QGroupBox:
        box = QGroupBox(_("Dinsos server address"))
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText("https://usulkan.dinsos.example.go.id")
        self.server_save = QPushButton(_("Save address"))
        self.server_save.clicked.connect(self.save_server)
        self.server_message = _message_label()
        row = QHBoxLayout()
        row.addWidget(self.server_url, 1)
        row.addWidget(self.server_save)
        note = QLabel(_("Set by itself when the Lurah links the office with the provisioning file from Dinsos. "
                        "Change it only when Dinsos gives a new address. Leave it empty while batches go on a "
                        "USB stick."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addWidget(self.server_message)
        return box

    def _backup_box(self) -> QGroupBox:
        from app.ui.pages.settings_backup import BackupBox

        self.backup_box = BackupBox(self.state, self.settings)
        self.backup_folder = self.backup_box.folder
        return self.backup_box

    def _lock_box(self) -> QGroupBox:
        """A shared office PC locks itself: after how many minutes without a key press or a click."""
        box = QGroupBox(_("Shared computer"))
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setSuffix(" " + _("minutes"))
        self.idle_minutes.setValue(self.settings.get(IDLE_LOCK_MINUTES))
        self.idle_minutes.valueChanged.connect(self.set_idle_minutes)
        note = QLabel(_("The window locks itself after this long without use; unsaved typing is kept. "
                        "Lock it at once with \u201cLock\u201d (Ctrl+L) when you step away."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow(_(IDLE_LOCK_MINUTES.title), self.idle_minutes)
        form.addRow("", note)
        return box

    def set_idle_minutes(self, minutes: int) -> None:
        self.settings.set(IDLE_LOCK_MINUTES, int(minutes))
        self.state.changed.emit(SETTINGS_CHANGED)

    def _passphrase_box(self) -> QGroupBox:
        box = QGroupBox(_("Change my passphrase"))
        self.old_passphrase = QLineEdit()
        self.new_passphrase = QLineEdit()
        self.new_again = QLineEdit()
        for field in (self.old_passphrase, self.new_passphrase, self.new_again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_again.returnPressed.connect(self.change_passphrase)
        self.change_button = QPushButton(_("Change passphrase"))
        self.change_button.setObjectName("primary")
        self.change_button.clicked.connect(self.change_passphrase)
        self.passphrase_message = _message_label()
        form = QFormLayout(box)
        form.addRow(_("Current passphrase"), self.old_passphrase)
        form.addRow(_("New passphrase"), self.new_passphrase)
        form.addRow(_("New passphrase again"), self.new_again)
        button_row = QHBoxLayout()  # a form would stretch the button across the page
        button_row.addWidget(self.change_button)
        button_row.addStretch(1)
        form.addRow("", button_row)
        form.addRow("", self.passphrase_message)
        return box

    # --- actions --------------------------------------------------------------------

    def _show_operator(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            self.signed_in_as.setText("")
            return
        role = _(ROLE_LABELS.get(ctx.operator_role, ctx.operator_role))
        self.signed_in_as.setText(
            _("Signed in as {name} ({role}) at {office}.").format(name=ctx.operator_name, role=role,
                                                                  office=ctx.office_name)
        )

    def _language_chosen(self, _index: int) -> None:
        code = self.language.currentData()
        if code not in i18n.LANGUAGES:
            return
        self.settings.set(LANGUAGE, code)
        if code != i18n.current_language():
            # The window is built again in the new language; this page goes with the old one.
            switch_language(self.window(), code)

    def _load_server(self) -> None:
        if self.state.ctx is not None:
            self.state.run(server_url, lambda url: self.server_url.setText(url or ""))

    def save_server(self) -> None:
        text = self.server_url.text().strip()
        if not valid_server_url(text):
            _say(self.server_message, _("Type an address that starts with https:// (http:// only for a server on this computer)."), ok=False)
            return

        def saved(url: str | None) -> None:
            self.server_url.setText(url or "")
            _say(self.server_message, _("Saved.") if url else _("Address removed."), ok=True)

        def failed(error: BaseException) -> None:
            _say(self.server_message, error_text(error), ok=False)

        self.state.run(lambda ctx: set_server_url(ctx, text), saved, on_error=failed, changes=OFFICE)

    def choose_backup_folder(self, folder: str | None = None) -> None:
        self.backup_box.choose_folder(folder)

    def change_passphrase(self) -> None:
        old, new, again = self.old_passphrase.text(), self.new_passphrase.text(), self.new_again.text()
        if not old:
            _say(self.passphrase_message, _("Type your current passphrase."), ok=False)
            return
        if new != again:
            _say(self.passphrase_message, _("The two new passphrases are not the same."), ok=False)
            self.new_again.clear()
            self.new_again.setFocus()
            return
        self._set_changing(True)
        _say(self.passphrase_message, "", ok=True)
        self.state.run(
            lambda ctx: change_passphrase(ctx, old, new, kdf=ctx.kdf),
            self._changed,
            on_error=self._change_failed,
        )

    def _changed(self, _result) -> None:
        self._set_changing(False)
        for field in (self.old_passphrase, self.new_passphrase, self.new_again):
            field.clear()
        _say(self.passphrase_message, _("Your passphrase is changed. Use the new one from the next sign-in."), ok=True)

    def _change_failed(self, error: BaseException) -> None:
        self._set_changing(False)
        _say(self.passphrase_message, error_text(error), ok=False)

    def _set_changing(self, busy: bool) -> None:
        for widget in (self.old_passphrase, self.new_passphrase, self.new_again, self.change_button):
            widget.setEnabled(not busy)
