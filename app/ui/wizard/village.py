"""The wizard's kelurahan page: search the region list off the GUI thread, name the office after the choice."""

from __future__ import annotations

from app.domain.regions import Region, RegionIndex
from app.i18n import _
from app.ui.errors import error_text
from app.ui.qt import QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, Qt, QTimer, QVBoxLayout, QWizardPage
from app.ui.state import AppState
from app.ui.wizard.basics import heading

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



class VillagePage(QWizardPage):
    """Search East Java's kelurahan and desa by name; the office name follows the choice."""

    def __init__(self, state: AppState, regions: RegionIndex, province_code: str = "35") -> None:
        super().__init__()
        self.state, self.regions, self.province_code = state, regions, province_code
        self.code: str | None = None
        self._search_seq = 0
        self._last_query = ""
        self._name_edited = False
        heading(self, _("Which kelurahan is this?"), _("Type part of the name, then pick it from the list."))

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

