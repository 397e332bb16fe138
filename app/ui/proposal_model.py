"""The proposal list as a Qt table model: a window of pages fetched on demand, off the GUI thread.

An office may hold 100,000 proposals, so the model never loads them all. It knows the total
from the first page; ``rowCount`` is that total, so the scroll bar is true from the start.
A row whose page is not cached shows a placeholder and asks for its page; only the pages the
view looks at are fetched (``PAGE`` rows each) and a handful are kept (least recently used).
"""

from __future__ import annotations

from collections import OrderedDict

from app.clock import format_wib
from app.domain.proposal import Programme
from app.domain.workflow import KIND_LABELS, ProposalKind, state_label
from app.i18n import N_, _
from app.services.proposals import ProposalFilter, ProposalSummary, list_proposals
from app.ui.qt import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from app.ui.state import AppState

PAGE = 200
KEEP_PAGES = 12  # ~2,400 rows: several screens either way, a few hundred KB at most

# (header, sort key understood by list_proposals or None when the column cannot sort)
COLUMNS = (
    (N_("Tracking code"), "tracking"),
    (N_("Head of family"), None),
    (N_("NIK"), None),
    (N_("Kind"), "kind"),
    (N_("State"), "state"),
    (N_("RT/RW"), None),
    (N_("Programmes"), None),
    (N_("Last changed"), "updated"),
)
SORTABLE = [i for i, (_h, key) in enumerate(COLUMNS) if key]
DEFAULT_SORT_COLUMN = 7
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def cell_text(row: ProposalSummary, column: int) -> str:
    """What the list shows in ``column`` for one proposal."""
    if column == 0:
        return row.tracking_code + (f" (v{row.version})" if row.version > 1 else "")
    if column == 1:
        # A search that found the household by another member says so beside the head's name.
        return f"{row.head_name} ({row.matched})" if row.matched else row.head_name
    if column == 2:
        return row.head_nik
    if column == 3:
        return _(KIND_LABELS[ProposalKind(row.kind)])
    if column == 4:
        return state_label(row.state)
    if column == 5:
        return f"{row.rt}/{row.rw}"
    if column == 6:
        return ", ".join(Programme(p).display_name for p in row.programmes)
    return format_wib(row.updated_at)


class ProposalTableModel(QAbstractTableModel):
    loading = Signal(bool)  # a page is on its way: the page may show "Memuat…"
    total_changed = Signal(int)

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.filters = ProposalFilter()
        self.sort_key, self.descending = "updated", True
        self._total = 0
        self._pages: OrderedDict[int, tuple[ProposalSummary, ...]] = OrderedDict()
        self._requested: set[int] = set()
        self._wanted: set[int] = set()
        # Bumped on every refresh, filter or sort: a page from an older query is dropped.
        self._generation = 0
        # data() is called while painting; fetching is deferred so the view never re-enters.
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)

    # --- queries --------------------------------------------------------------------

    def set_filters(self, filters: ProposalFilter) -> None:
        self.filters = filters
        self.refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        if key is None:
            return  # the view keeps its indicator; the order stays what it was
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def refresh(self) -> None:
        """Forget every page and ask again from the top (after a change, filter or sort)."""
        self._generation += 1
        self._requested.clear()
        self._wanted.clear()
        self._request(0, reset=True)

    @property
    def total(self) -> int:
        return self._total

    def is_loaded(self, row: int) -> bool:
        return row // PAGE in self._pages

    def summary(self, row: int) -> ProposalSummary | None:
        page = self._pages.get(row // PAGE)
        if page is None or row % PAGE >= len(page):
            return None
        return page[row % PAGE]

    # --- Qt model -------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][0])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        number = index.row() // PAGE
        page = self._pages.get(number)
        if page is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._want(number)
                return _("Loading…") if index.column() == 0 else ""
            if role == Qt.ItemDataRole.ForegroundRole:
                return Qt.GlobalColor.gray
            return None
        self._pages.move_to_end(number)
        offset = index.row() % PAGE
        if offset >= len(page):
            return None  # the table shrank under us; the refresh on its way fixes it
        row = page[offset]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, index.column())
        if role == ID_ROLE:
            return row.id
        return None

    # --- fetching -------------------------------------------------------------------

    def _want(self, number: int) -> None:
        if number not in self._requested:
            self._wanted.add(number)
            self._fetch_timer.start()

    def _fetch_wanted(self) -> None:
        for number in sorted(self._wanted):
            self._request(number)
        self._wanted.clear()

    def _request(self, number: int, *, reset: bool = False) -> None:
        if self.state.ctx is None:
            return  # signed out while a timer was pending: nothing to show any more
        self._requested.add(number)
        generation, filters, key, desc = self._generation, self.filters, self.sort_key, self.descending
        self.loading.emit(True)
        self.state.run(
            lambda ctx: list_proposals(ctx, filters, sort=key, descending=desc, offset=number * PAGE, limit=PAGE),
            lambda page: self._arrived(generation, number, page, reset),
            on_error=lambda error: self._failed(generation, number, error),
        )

    def _arrived(self, generation: int, number: int, page, reset: bool) -> None:
        if generation != self._generation:
            return
        self.loading.emit(False)
        if reset or page.total != self._total:
            # First page of a new query, or rows came and went: start the view again.
            self.beginResetModel()
            self._pages.clear()
            self._pages[number] = page.rows
            self._total = page.total
            self.endResetModel()
            self.total_changed.emit(self._total)
            return
        self._pages[number] = page.rows
        while len(self._pages) > KEEP_PAGES:
            dropped, _rows = self._pages.popitem(last=False)
            self._requested.discard(dropped)
        first = number * PAGE
        last = min(first + len(page.rows), self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _failed(self, generation: int, number: int, error: BaseException) -> None:
        self._requested.discard(number)  # scrolling back asks again
        if generation == self._generation:
            self.loading.emit(False)
        self.state.failed.emit(error)
