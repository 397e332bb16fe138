"""Settings' update section: "Periksa pembaruan" asks Dinsos's signed update repository (tufup) for a newer version."""

from __future__ import annotations

import sys

from app import __version__, updates
from app.errors import UsulkanError
from app.i18n import N_, _
from app.services.office import server_url
from app.ui.errors import error_text
from app.ui.qt import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)
from app.ui.settings_store import UPDATE_URL, Settings
from app.ui.state import AppState


class NoUpdateAddress(UsulkanError):
    template = N_("There is no update address: this office has no Dinsos server address.")
    hint = N_("Enter the update address Dinsos gave you above.")


class UpdateBox(QGroupBox):
    """The update address (empty: beside the office's Dinsos server), a check button, and install when offered."""

    def __init__(self, state: AppState, settings: Settings, parent=None) -> None:
        super().__init__(_("Updates"), parent)
        self.state, self.settings = state, settings
        # Where tufup keeps its metadata and which folder it replaces; tests point these at a temporary place.
        self.options: dict = {}
        self.can_install = bool(getattr(sys, "frozen", False))  # a copy from source updates with git or pip
        self.address = QLineEdit(settings.get(UPDATE_URL))
        self.address.editingFinished.connect(self._address_changed)
        self.check_button = QPushButton(_("Check for updates"))
        self.check_button.clicked.connect(self.check)
        self.install_button = QPushButton()
        self.install_button.setObjectName("primary")
        self.install_button.clicked.connect(self.install)
        self.install_button.hide()
        self.status = QLabel(_("This is Usulkan {version}.").format(version=__version__))
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(_(UPDATE_URL.title)))
        row.addWidget(self.address, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.install_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.found: updates.Available | None = None
        state.signed_in.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        ctx = self.state.ctx
        beside = updates.address(None, server_url(ctx)) if ctx is not None else None
        self.address.setPlaceholderText(_("{url} (from the Dinsos server address)").format(url=beside) if beside
                                        else _("the address Dinsos gave for updates"))

    def _address_changed(self) -> None:
        self.settings.set(UPDATE_URL, self.address.text().strip())

    def _url(self, ctx) -> str:
        url = updates.address(self.address.text(), server_url(ctx))
        if url is None:
            raise NoUpdateAddress()
        return url

    def check(self) -> None:
        self._busy(_("Checking for updates ..."))

        def done(found) -> None:
            self.check_button.setEnabled(True)
            self.found = found
            if found is None:
                self.install_button.hide()
                self.status.setText(_("Usulkan {version} is the newest version.").format(version=__version__))
                return
            self.status.setText(_("Version {version} is available ({size} MB).").format(
                version=found.version, size=round(found.size / 1_000_000, 1)))
            self.install_button.setText(_("Install version {version}").format(version=found.version))
            self.install_button.setVisible(self.can_install)
            if not self.can_install:
                self.status.setText(self.status.text() + " " + _(
                    "This copy runs from source; update it with git or pip, not with the signed bundles."))

        self.state.run(lambda ctx: updates.check(self._url(ctx), __version__, **self.options), done,
                       on_error=self._failed)

    def install(self) -> None:
        self._busy(_("Downloading and checking the update ..."))
        self.install_button.setEnabled(False)

        def done(installed) -> None:
            self.check_button.setEnabled(True)
            self.install_button.hide()
            self.install_button.setEnabled(True)
            if installed is None:
                self.status.setText(_("Usulkan {version} is the newest version.").format(version=__version__))
            else:
                self.status.setText(_("Version {version} is installed; start Usulkan again. The office's data is kept "
                                      "and is brought up to date at the next start.").format(version=installed))

        self.state.run(lambda ctx: updates.install(self._url(ctx), __version__, **self.options), done,
                       on_error=self._failed)

    def _busy(self, text: str) -> None:
        self.check_button.setEnabled(False)
        self.status.setText(text)

    def _failed(self, error: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.install_button.setEnabled(True)
        self.install_button.hide()
        self.status.setText(error_text(error))


