"""The proposal list: search, filter, sort, and open a proposal in the editor."""

from __future__ import annotations

from app.domain.tracking import is_valid_tracking_code
from app.domain.workflow import KIND_LABELS, ProposalKind
from app.i18n import _, N_, n_
from app.services.proposals import ProposalFilter
from app.ui.column_widths import WIDEST_NUMBER, WIDEST_TRACKING, every_kind_label, every_state_label, fit_column
from app.ui.editor.proposal_editor import NEW_KEY, ProposalEditor
from app.ui.proposal_model import DEFAULT_SORT_COLUMN, ID_ROLE, SORTABLE, ProposalTableModel
from app.ui.list_request import StateList
from app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import PROPOSALS, AppState

# The editor autosaves under "proposal:new" or "proposal:<id>" (proposal_editor.NEW_KEY and its siblings).
FORM_PREFIX = NEW_KEY.removesuffix("new")

# The state filter offers the states an operator asks about, not all sixteen.
STATE_FILTERS = (
    (N_("All states"), ()),
    (N_("Being prepared"), ("draft", "ground_check", "muskel", "sptjm")),
    (N_("Ready or queued"), ("ready", "queued")),
    (N_("At the Dinas Sosial"), ("sent", "received", "verified", "finalised", "approved", "forwarded")),
    (N_("Returned for correction"), ("returned",)),
)


# Column -> the widest text it usually holds (tracking code, NIK, kind, state, RT/RW, ...).
def column_texts() -> dict[int, list[str]]:
    """The widest text each column can hold, in the current language (states and kinds all of them)."""
    return {
        0: [WIDEST_TRACKING],
        1: ["SUPRIYADI SUSANTO"],  # names get room; a longer one is shown whole in its tooltip
        2: [WIDEST_NUMBER],
        3: every_kind_label(),
        4: every_state_label(),
        5: ["888/888"],
        6: ["BPNT/Sembako"],
        7: ["29-11-2026 00:00 WIB"],
    }


class ProposalsPage(QWidget):
    title = N_("Proposals")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.editors: dict[str | None, ProposalEditor] = {}
        self.model = ProposalTableModel(state, self)

        heading = QLabel(_("Proposals"))
        heading.setObjectName("pageHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by NIK, No. KK, name or tracking code (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.state_filter = QComboBox()
        for label, states in STATE_FILTERS:
            self.state_filter.addItem(_(label), states)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(_("All kinds"), None)
        for kind in ProposalKind:
            self.kind_filter.addItem(_(KIND_LABELS[kind]), kind.value)
        self.rw_filter = QLineEdit()
        self.rw_filter.setPlaceholderText(_("RW"))
        self.rw_filter.setMaximumWidth(60)
        self.new_button = QPushButton(_("New proposal (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_item)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.state_filter, 1)
        bar.addWidget(self.kind_filter, 1)
        bar.addWidget(self.rw_filter)
        bar.addWidget(self.new_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # Uniform rows let the view skip measuring 100,000 of them.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Names get room of their own (a narrow window scrolls sideways); the last column takes the rest.
        self.table.horizontalHeader().setStretchLastSection(True)
        # Widths from the widest possible text, not from the rows: measuring 100,000 rows would stall.
        for column, texts in column_texts().items():
            fit_column(self.table, column, texts, sortable=column in SORTABLE)
        self.table.horizontalHeader().setSortIndicator(DEFAULT_SORT_COLUMN, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(lambda index: self._open_row(index.row()))
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))

        self.status = QLabel()
        self.model.total_changed.connect(self._show_total)
        self.model.loading.connect(lambda on: self.status.setText(_("Loading…")) if on else self._show_total())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.setTabOrder(self.search, self.state_filter)
        self.setTabOrder(self.state_filter, self.kind_filter)
        self.setTabOrder(self.kind_filter, self.rw_filter)
        self.setTabOrder(self.rw_filter, self.new_button)
        self.setTabOrder(self.new_button, self.table)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_item)

        # Typing a name fires one query after a pause, not one per key.
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(300)
        self._filter_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._filter_timer.start)
        self.rw_filter.textChanged.connect(self._filter_timer.start)
        self.state_filter.currentIndexChanged.connect(self.apply_filters)
        self.kind_filter.currentIndexChanged.connect(self.apply_filters)
        self.search.returnPressed.connect(self._search_entered)

        # Other pages' changes arrive as one signal; refreshing is cheap (one page).
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.model.refresh)
        state.changed.connect(lambda what: what == PROPOSALS and self._refresh_timer.start())
        state.signed_out.connect(self._signed_out)
        self.apply_filters()

    # --- the page's API (the main window calls these) -------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def new_item(self) -> ProposalEditor:
        return self._show_editor(None)

    def show_states(self, request: StateList) -> None:
        """A Beranda card's list: its states under its title, other filters cleared, so the count matches."""
        self.search.clear()
        self.rw_filter.clear()
        self.kind_filter.setCurrentIndex(0)
        index = self.state_filter.findData(tuple(request.states))
        if index < 0:
            # A card groups states no fixed choice does: it becomes one more choice, named as on the card.
            index = self.state_filter.count()
            self.state_filter.addItem(request.title, tuple(request.states))
        self.state_filter.setCurrentIndex(index)
        self.apply_filters()

    def open_item(self, proposal_id: str | StateList) -> ProposalEditor | None:
        """A proposal by id, or an autosaved form by its key (the dashboard's "Unsaved form" line):
        "proposal:new" or "proposal:<id>", opened with the typing put back, since that is what was asked.
        A StateList (a Beranda card) shows that list instead."""
        if isinstance(proposal_id, StateList):
            self.show_states(proposal_id)
            return None
        if proposal_id.startswith(FORM_PREFIX):
            rest = proposal_id.removeprefix(FORM_PREFIX)
            return self._show_editor(None if rest == "new" else rest, restore_typing=True)
        return self._show_editor(proposal_id)

    # --- filters --------------------------------------------------------------------

    def current_filter(self) -> ProposalFilter:
        text = self.search.text().strip()
        # A tracking code is not a member's NIK or name: Enter opens it instead of filtering.
        query = "" if is_valid_tracking_code(text) else text
        rw = self.rw_filter.text().strip() or None
        kind = self.kind_filter.currentData()
        return ProposalFilter(
            query=query,
            states=tuple(self.state_filter.currentData() or ()),
            kinds=(kind,) if kind else (),
            rw=rw if rw and rw.isdigit() else None,
        )

    def apply_filters(self) -> None:
        self._filter_timer.stop()
        self.model.set_filters(self.current_filter())

    def _search_entered(self) -> None:
        text = self.search.text().strip()
        if is_valid_tracking_code(text):
            self.open_item(text)
        else:
            self.apply_filters()
            self.table.setFocus()

    def _show_total(self, *_args) -> None:
        self.status.setText(n_("{count} proposal", "{count} proposals", self.model.total).format(count=f"{self.model.total:,}".replace(",", ".")))

    def _signed_out(self) -> None:
        self._filter_timer.stop()
        self._refresh_timer.stop()
        for editor in list(self.editors.values()):
            editor.close_quietly()

    # --- editors --------------------------------------------------------------------

    def _open_row(self, row: int) -> None:
        proposal_id = self.model.data(self.model.index(row, 0), ID_ROLE)
        if proposal_id:
            self.open_item(proposal_id)

    def reopen_editor(self, proposal_id: str | None) -> ProposalEditor:
        """Open an editor again after the window was rebuilt: its autosaved typing comes back unasked."""
        return self._show_editor(proposal_id, restore_typing=True)

    def _show_editor(self, proposal_id: str | None, *, restore_typing: bool = False) -> ProposalEditor:
        self._rekey_saved_new_editor()
        editor = self.editors.get(proposal_id)
        if editor is None or not editor.isVisible():
            editor = ProposalEditor(self.state, proposal_id, parent=self)
            if restore_typing:
                editor.prompts = _RestoreWithoutAsking(editor.prompts)
            editor.finished.connect(lambda _result, e=editor: self._forget(e))
            self.editors[proposal_id] = editor
            editor.start()
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def _rekey_saved_new_editor(self) -> None:
        """A new proposal that was saved since is that proposal's editor now, not the "new" one:
        Ctrl+N must give an empty form, and opening the saved proposal must find this window."""
        editor = self.editors.get(None)
        if editor is not None and editor.proposal_id is not None:
            del self.editors[None]
            self.editors.setdefault(editor.proposal_id, editor)

    def _forget(self, editor: ProposalEditor) -> None:
        for key, value in list(self.editors.items()):
            if value is editor:
                del self.editors[key]

    @property
    def current_editor(self) -> ProposalEditor | None:
        return next(reversed(self.editors.values()), None) if self.editors else None



class _RestoreWithoutAsking:
    """The editor's prompts, except that "continue the unsaved typing?" is answered yes, once.

    Used when the window was rebuilt (language switch): the operator did not leave that typing,
    so asking about it would only invite a wrong "no".
    """

    def __init__(self, prompts) -> None:
        self._prompts = prompts
        self._pending = True

    def restore_or_discard(self, title, text):
        if self._pending:
            self._pending = False
            return "continue"
        return self._prompts.restore_or_discard(title, text)

    def __getattr__(self, name):
        return getattr(self._prompts, name)
