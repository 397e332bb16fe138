"""First run: make the office (kelurahan, Lurah, first operator, Dinsos server), show the recovery code once.

Creation calibrates Argon2id and derives three keys, which takes seconds, so it runs off the
GUI thread. The passphrases live only in the wizard's fields until the office is open.
"""

from __future__ import annotations

from app.domain.regions import Region, RegionIndex, default_regions
from app.i18n import _
from app.services.context import OfficeContext
from app.services.office import MIN_PASSPHRASE, CreatedOffice, create_office, open_office
from app.storage.vault import KdfParams
from app.ui.errors import error_text
from app.ui.qt import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from app.ui.recovery_sheet import write_recovery_sheet
from app.ui.settings_store import SERVER_URL, Settings, valid_server_url
from app.ui.state import AppState

CODE_ROLE = Qt.ItemDataRole.UserRole
SEARCH_DELAY_MS = 250  # wait for a pause in typing before searching 83,000 names


def _nice(name: str) -> str:
    """The region list writes regencies in capitals ("KOTA PASURUAN"); show them as a person would."""
    return name.title() if name.isupper() else name


def village_kind(regions: RegionIndex, code: str) -> str:
    return _("Kelurahan") if regions.is_kelurahan(code) else _("Desa")


def village_label(regions: RegionIndex, village: Region) -> str:
    """ "Kelurahan Bugul Kidul, Kec. Bugul Kidul, Kota Pasuruan" """
    district = regions.district(village.code.rsplit(".", 1)[0])
    regency = regions.regency_of(village.code)
    parts = [f"{village_kind(regions, village.code)} {_nice(village.name)}"]
    if district is not None:
        parts.append(_("Kec. {name}").format(name=_nice(district.name)))
    if regency is not None:
        regency_name = _nice(regency.name).replace("Kabupaten ", "Kab. ")
        parts.append(regency_name)
    return ", ".join(parts)


def _heading(page: QWizardPage, title: str, subtitle: str) -> None:
    page.setTitle(title)
    page.setSubTitle(subtitle)


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        _heading(self, _("Welcome to Usulkan"), _("Let us set up this office. It takes about five minutes."))
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


class VillagePage(QWizardPage):
    """Search East Java's kelurahan and desa by name; the office name follows the choice."""

    def __init__(self, state: AppState, regions: RegionIndex, province_code: str = "35") -> None:
        super().__init__()
        self.state, self.regions, self.province_code = state, regions, province_code
        self.code: str | None = None
        self._search_seq = 0
        self._last_query = ""
        self._name_edited = False
        _heading(self, _("Which kelurahan is this?"), _("Type part of the name, then pick it from the list."))

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("e.g. Bugul Kidul"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMinimumHeight(180)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.office_name = QLineEdit()

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search_now)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.results.currentItemChanged.connect(self._picked)
        self.office_name.textEdited.connect(self._name_typed)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        form = QFormLayout()
        form.addRow(_("Office name"), self.office_name)
        layout.addLayout(form)

    def search_now(self) -> None:
        text = self.search.text().strip()
        if len(text) < 2:
            self._last_query = ""
            self.results.clear()
            self.status.setText(_("Type at least two letters."))
            return
        if text == self._last_query:
            return  # the list already shows it; searching again would drop the choice
        self._last_query = text
        self._search_seq += 1
        seq, regions, province = self._search_seq, self.regions, self.province_code

        def find():
            # The first search reads the 83,000 villages (about half a second): off the GUI thread.
            return [(v, village_label(regions, v)) for v in regions.search_villages(text, province_code=province)]

        self.status.setText(_("Searching ..."))
        self.state.run_plain(find, lambda found: self._show(seq, found), self._search_failed)

    def _show(self, seq: int, found: list[tuple[Region, str]]) -> None:
        if seq != self._search_seq:
            return  # an older search finished after a newer one started
        chosen = self.code
        self.results.clear()
        for village, label in found:
            item = QListWidgetItem(label)
            item.setData(CODE_ROLE, village.code)
            self.results.addItem(item)
            if village.code == chosen:
                self.results.setCurrentItem(item)  # a new search keeps the choice if it is still listed
        self.status.setText(
            _("No kelurahan of East Java has that name.") if not found else _("{count} found").format(count=len(found))
        )

    def _search_failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))

    def _picked(self, item: QListWidgetItem | None, _previous=None) -> None:
        self.code = item.data(CODE_ROLE) if item is not None else None
        if self.code and not self._name_edited:
            village = self.regions.village(self.code)
            self.office_name.setText(f"{village_kind(self.regions, self.code)} {_nice(village.name)}")
        self.completeChanged.emit()

    def _name_typed(self, _text: str) -> None:
        self._name_edited = True
        self.completeChanged.emit()

    def village_description(self) -> str:
        village = self.regions.village(self.code) if self.code else None
        return village_label(self.regions, village) if village else ""

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return bool(self.code) and bool(self.office_name.text().strip())


class PersonPage(QWizardPage):
    """A name and a passphrase typed twice, with feedback as you type."""

    def __init__(self, title: str, subtitle: str, name_label: str) -> None:
        super().__init__()
        _heading(self, title, subtitle)
        self.name = QLineEdit()
        self.passphrase = QLineEdit()
        self.again = QLineEdit()
        for field in (self.passphrase, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.other_passphrase = None  # a page whose passphrase this one must differ from
        tip = QLabel(
            _("At least {minimum} characters. A few ordinary words are easier to remember and harder "
              "to guess than one short word with symbols.").format(minimum=MIN_PASSPHRASE)
        )
        tip.setObjectName("hint")
        tip.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow(name_label, self.name)
        form.addRow(_("Passphrase"), self.passphrase)
        form.addRow(_("Passphrase again"), self.again)
        form.addRow("", self.feedback)
        form.addRow("", tip)
        for field in (self.name, self.passphrase, self.again):
            field.textChanged.connect(self._changed)
        self._changed()

    def problem(self) -> str | None:
        first, second = self.passphrase.text(), self.again.text()
        if not self.name.text().strip():
            return _("Type the name.")
        if len(first) < MIN_PASSPHRASE:
            return _("The passphrase needs at least {minimum} characters (now {count}).").format(
                minimum=MIN_PASSPHRASE, count=len(first)
            )
        if first != second:
            return _("The two passphrases are not the same yet.")
        if self.other_passphrase is not None and first == self.other_passphrase.passphrase.text():
            return _("Choose a passphrase different from the Lurah's.")
        return None

    def _changed(self, *_args) -> None:
        problem = self.problem()
        self.feedback.setObjectName("errorText" if problem else "okText")
        self.feedback.setText(problem or _("The passphrase is good."))
        # The object name picks the colour; re-polish so the stylesheet notices the change.
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        self.completeChanged.emit()

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        self._changed()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.problem() is None


class ServerPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        _heading(
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
        self.feedback.setText("" if ok else _("Type an address that starts with https:// or http://."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return valid_server_url(self.url.text())


class CreatePage(QWizardPage):
    """Runs create_office off the GUI thread; moves on by itself when the office exists."""

    def __init__(self, wizard: OfficeWizard) -> None:
        super().__init__()
        self._wizard = wizard
        _heading(self, _("Creating the office"), _("Preparing the encryption keys. This can take a few seconds."))
        self.setCommitPage(True)  # once created there is no going back to change the passphrases
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.retry = QPushButton(_("Try again"))
        self.retry.clicked.connect(self.start)
        self.retry.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.retry, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        if self._wizard.created is None:
            self.start()

    def start(self) -> None:
        self.retry.hide()
        self.status.setObjectName("")
        self.status.setText(_("Creating the office and its encryption keys ..."))
        self.progress.show()
        self._wizard.create(self._done, self._failed)

    def _done(self, _created: CreatedOffice) -> None:
        self.progress.hide()
        self.status.setText(_("The office is ready."))
        self.completeChanged.emit()
        # Not from inside initializePage (InlineRunner finishes there): after the event loop turns.
        QTimer.singleShot(0, self._advance)

    def _advance(self) -> None:
        if self._wizard.currentPage() is self:
            self._wizard.next()

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.status.setText(error_text(error))
        self.retry.show()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self._wizard.created is not None


class RecoveryPage(QWizardPage):
    """The recovery code, shown once; finishing needs the operator to say it is kept."""

    def __init__(self, wizard: OfficeWizard) -> None:
        super().__init__()
        self._wizard = wizard
        _heading(
            self,
            _("The Lurah's recovery code"),
            _("It opens the office when every passphrase is forgotten. It is shown only this once."),
        )
        self.code = QLabel()
        self.code.setObjectName("recoveryCode")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton(_("Save as PDF for printing"))
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.saved = QLabel()
        self.saved.setObjectName("okText")
        self.saved.setWordWrap(True)
        self.confirm = QCheckBox(_("I have printed or saved this code"))
        self.confirm.toggled.connect(lambda _on: self.completeChanged.emit())
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        note = QLabel(
            _("Give the printed sheet to the Lurah to keep in a locked place. Anyone holding this code "
              "can open every record of the office.")
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code)
        layout.addWidget(note)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved)
        layout.addStretch(1)
        layout.addWidget(self.confirm)
        layout.addWidget(self.message)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        created = self._wizard.created
        self.code.setText(created.recovery_code if created else "")

    def save_pdf(self, path=None) -> None:
        created = self._wizard.created
        if created is None:
            return
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save the recovery sheet"), "kode-pemulihan-usulkan.pdf", _("PDF documents (*.pdf)")
            )
            if not path:
                return
        try:
            write_recovery_sheet(
                path,
                office_name=self._wizard.village_page.office_name.text().strip(),
                village=self._wizard.village_page.village_description(),
                code=created.recovery_code,
            )
        except OSError as error:
            self.saved.setText("")
            self.message.setText(error_text(error))
            return
        self.saved.setText(_("Saved to {path}. Print it now, then delete the file.").format(path=path))

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.confirm.isChecked() and not self._wizard.opening


class OfficeWizard(QWizard):
    """On Finish, opens the new office as its first operator: ``self.ctx``."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, kdf: KdfParams | None = None,
                 regions: RegionIndex | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.kdf = kdf  # None: calibrate on this PC (tests pass tiny parameters)
        self.created: CreatedOffice | None = None
        self.ctx: OfficeContext | None = None
        self.opening = False
        self.setWindowTitle(_("New Usulkan office"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(640, 520)
        # Qt ships no Indonesian for its own buttons; name them ourselves.
        for button, text in (
            (QWizard.WizardButton.BackButton, _("< Back")),
            (QWizard.WizardButton.NextButton, _("Next >")),
            (QWizard.WizardButton.CommitButton, _("Create the office")),
            (QWizard.WizardButton.FinishButton, _("Finish and sign in")),
            (QWizard.WizardButton.CancelButton, _("Cancel")),
        ):
            self.setButtonText(button, text)

        self.welcome_page = WelcomePage()
        self.village_page = VillagePage(state, regions or default_regions())
        self.lurah_page = PersonPage(
            _("The Lurah"),
            _("The Lurah enrols operators and keeps the recovery code. The Lurah types this passphrase now."),
            _("Lurah's name"),
        )
        self.operator_page = PersonPage(
            _("The first operator"),
            _("The person who will enter proposals. They type their own passphrase now."),
            _("Operator's name"),
        )
        self.operator_page.other_passphrase = self.lurah_page
        self.server_page = ServerPage()
        self.create_page = CreatePage(self)
        self.recovery_page = RecoveryPage(self)
        for page in (self.welcome_page, self.village_page, self.lurah_page, self.operator_page,
                     self.server_page, self.create_page, self.recovery_page):
            self.addPage(page)

    def create(self, on_done, on_error) -> None:
        """Start create_office off the GUI thread with what the pages hold."""
        folder, kdf = self.state.data_dir, self.kdf
        args = dict(
            name=self.village_page.office_name.text().strip(),
            village_code=self.village_page.code,
            lurah_name=self.lurah_page.name.text().strip(),
            lurah_passphrase=self.lurah_page.passphrase.text(),
            operator_name=self.operator_page.name.text().strip(),
            operator_passphrase=self.operator_page.passphrase.text(),
        )

        def done(created: CreatedOffice) -> None:
            self.created = created
            self.setOption(QWizard.WizardOption.NoCancelButton, True)
            # The Lurah's passphrase is in the vault now; the wizard need not hold it any longer.
            self.lurah_page.passphrase.clear()
            self.lurah_page.again.clear()
            server = self.server_page.url.text().strip()
            if server:
                Settings().set(SERVER_URL, server)
            on_done(created)

        self.state.run_plain(lambda: create_office(folder, kdf=kdf, **args), done, on_error)

    def accept(self) -> None:
        """Finish: open the new office as its operator, then close."""
        if self.ctx is not None:
            super().accept()
            return
        if self.created is None or self.opening:
            return
        self.opening = True
        self.recovery_page.completeChanged.emit()
        self.recovery_page.message.setText("")
        folder, operator_id = self.state.data_dir, self.created.operator_id
        passphrase = self.operator_page.passphrase.text()
        self.state.run_plain(lambda: open_office(folder, operator_id, passphrase), self._opened, self._open_failed)

    def _opened(self, ctx: OfficeContext) -> None:
        self.opening = False
        self.ctx = ctx
        self.operator_page.passphrase.clear()
        self.operator_page.again.clear()
        super().accept()

    def _open_failed(self, error: BaseException) -> None:
        self.opening = False
        self.recovery_page.completeChanged.emit()
        self.recovery_page.message.setText(error_text(error))

    def reject(self) -> None:
        # After creation the code must be acknowledged: Esc or the close box must not lose it.
        if self.created is not None:
            return
        super().reject()

