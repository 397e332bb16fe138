"""The wizard's plain pages: welcome and the optional Dinsos server address, and the page heading."""

from __future__ import annotations

from app.i18n import _
from app.ui.qt import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWizardPage
from app.ui.settings_store import valid_server_url


def heading(page: QWizardPage, title: str, subtitle: str) -> None:
    page.setTitle(title)
    page.setSubTitle(subtitle)


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        heading(self, _("Welcome to Usulkan"), _("Let us set up this office. It takes about five minutes."))
        text = QLabel(
            _(
                "Usulkan keeps the kelurahan's social-assistance proposals on this computer, "
                "encrypted, and works without internet.\n\n"
                "You will need:\n"
                "  \u2022 the name of the kelurahan,\n"
                "  \u2022 the Lurah, to choose the Lurah's passphrase,\n"
                "  \u2022 the first operator, to choose their own passphrase,\n"
                "  \u2022 a printer or a USB stick, to keep the Lurah's recovery code.\n\n"
                "The address of the Dinsos server is optional and can be added later."
            )
        )
        text.setWordWrap(True)
        QVBoxLayout(self).addWidget(text)



class ServerPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        heading(
            self,
            _("Dinsos server (optional)"),
            _("Ask the Dinas Sosial for the address. Leave it empty to send batches on a USB stick for now."),
        )
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://usulkan.dinsos.example.go.id")
        self.feedback = QLabel()
        self.feedback.setObjectName("errorText")
        self.feedback.setWordWrap(True)
        self.url.textChanged.connect(self._changed)
        form = QFormLayout(self)
        form.addRow(_("Server address"), self.url)
        form.addRow("", self.feedback)

    def _changed(self, *_args) -> None:
        ok = valid_server_url(self.url.text())
        self.feedback.setText("" if ok else _("Type an address that starts with https:// (http:// only for a server on this computer)."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return valid_server_url(self.url.text())

