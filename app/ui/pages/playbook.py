"""Panduan kantor: the office playbook, pages the operators write and improve, every version kept."""

from __future__ import annotations

from app.clock import format_wib
from app.i18n import N_, _
from app.services.playbook import PageView, ensure_starter_pages, history, list_pages
from app.ui.editor.prompts import Prompts
from app.ui.playbook.form import PLAYBOOK, PageForm
from app.ui.playbook.reader import PageReader
from app.ui.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QShortcut,
    QSplitter,
    QStackedWidget,
    Qt,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import AppState

SLUG_ROLE = Qt.ItemDataRole.UserRole
HISTORY_HEADERS = (N_("Version"), N_("Saved"), N_("By"), N_("Title"))


def list_line(view: PageView) -> str:
    """Two lines of the list: the title; who edited it last, when, and the reason it explains."""
    meta = f"{view.updated_by_name or _('(unknown)')}, {format_wib(view.updated_at)}"
    if view.return_reason_code:
        meta += " \u00b7 " + _("reason {code}").format(code=view.return_reason_code)
    return f"{view.title}\n{meta}"


def matches(view: PageView, text: str) -> bool:
    text = text.strip().lower()
    return not text or any(text in (part or "").lower() for part in (view.title, view.body, view.return_reason_code))


class PlaybookPage(QWidget):
    # Short: the navigation is 220 px wide ("Office playbook" reads "Buku panduan kantor", too long there).
    title = N_("Playbook")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.views: list[PageView] = []
        self.selected_slug: str | None = None
        self.versions: list[PageView] = []
        self._seeded = False

        heading = QLabel(_("Office playbook (panduan kantor)"))
        heading.setObjectName("pageHeading")
        hint = QLabel(_("The office's own handbook: how we work, whom to call, how to fix what Dinsos returns. "
                        "Everyone may improve a page; every version is kept with who saved it."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Filter by title, text or reason code (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._fill_list())
        self.new_button = QPushButton(_("New page (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_item)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(self._selection_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.new_button)

        self.reader = PageReader()
        self.edit_button = QPushButton(_("Edit"))
        self.edit_button.clicked.connect(self.edit)
        reading = QWidget()
        reading_layout = QVBoxLayout(reading)
        reading_layout.addWidget(self.reader, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.edit_button)
        reading_layout.addLayout(row)

        self.history_list = QTreeWidget()
        self.history_list.setHeaderLabels([_(h) for h in HISTORY_HEADERS])
        self.history_list.setRootIsDecorated(False)
        self.history_list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history_list.currentItemChanged.connect(self._version_chosen)
        self.version_text = QTextBrowser()
        history_split = QSplitter(Qt.Orientation.Vertical)
        history_split.addWidget(self.history_list)
        history_split.addWidget(self.version_text)

        self.tabs = QTabWidget()
        self.tabs.addTab(reading, _("Page"))
        self.tabs.addTab(history_split, _("Earlier versions"))
        self.form = PageForm(state)
        self.form.prompts = self.prompts
        self.form.saved.connect(lambda view: setattr(self, "selected_slug", view.slug))
        self.form.closed.connect(self._leave_edit)
        self.right = QStackedWidget()
        self.right.addWidget(self.tabs)
        self.right.addWidget(self.form)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setSizes([320, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addWidget(split, 1)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_item)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        state.changed.connect(lambda what: what == PLAYBOOK and self.refresh())
        self._show_page(None)
        self.refresh()

    # --- the page's API -------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self.right.currentWidget() is self.form

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def new_item(self) -> None:
        if self.editing:
            self.form.title.setFocus()  # one page at a time: what is being typed stays
            return
        self._enter_edit(None)

    def open_item(self, slug: str) -> None:
        """Show one page, whatever the filter says."""
        if self.editing:
            return
        self.search.clear()
        self.selected_slug = slug
        self._fill_list()

    def edit(self) -> None:
        view = self.current()
        if view is not None and not self.editing:
            self._enter_edit(view)

    def save(self) -> None:
        if self.editing:
            self.form.save()

    def current(self) -> PageView | None:
        return next((v for v in self.views if v.slug == self.selected_slug), None)

    # --- first show: the starter pages ----------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._seeded and self.state.ctx is not None:
            self._seeded = True

            def seed(ctx) -> list[str]:
                # Only into an empty playbook: an office that wrote its own pages is not second-guessed.
                return [] if list_pages(ctx) else ensure_starter_pages(ctx)

            self.state.run(seed, lambda made: made and self.state.changed.emit(PLAYBOOK))

    # --- list -----------------------------------------------------------------------

    def refresh(self) -> None:
        if self.state.ctx is not None:
            self.state.run(list_pages, self._show_list)

    def _show_list(self, views: list[PageView]) -> None:
        self.views = list(views)
        self._fill_list()

    def _fill_list(self) -> None:
        text = self.search.text()
        keep = self.selected_slug
        self.list.blockSignals(True)
        self.list.clear()
        chosen = None
        for view in self.views:
            if not matches(view, text):
                continue
            item = QListWidgetItem(list_line(view))
            item.setData(SLUG_ROLE, view.slug)
            item.setToolTip(view.title)
            self.list.addItem(item)
            if view.slug == keep:
                chosen = item
        if chosen is None and self.list.count():
            chosen = self.list.item(0)
        self.list.setCurrentItem(chosen)
        self.list.blockSignals(False)
        self._selection_changed(chosen)

    def list_titles(self) -> list[str]:
        return [self.list.item(i).text().split("\n")[0] for i in range(self.list.count())]

    def _selection_changed(self, item, _previous=None) -> None:
        if self.editing:
            return
        self.selected_slug = item.data(SLUG_ROLE) if item is not None else None
        self._show_page(self.current())

    def _show_page(self, view: PageView | None) -> None:
        self.reader.show_page(view)
        self.edit_button.setEnabled(view is not None)
        self.history_list.clear()
        self.version_text.clear()
        if view is not None:
            slug = view.slug
            self.state.run(lambda ctx: history(ctx, slug), lambda versions: self._show_history(slug, versions))

    # --- history --------------------------------------------------------------------

    def _show_history(self, slug: str, versions: list[PageView]) -> None:
        if slug != self.selected_slug:
            return
        self.versions = list(versions)
        self.history_list.clear()
        for v in self.versions:
            self.history_list.addTopLevelItem(QTreeWidgetItem(
                [str(v.version), format_wib(v.updated_at), v.updated_by_name or _("(unknown)"), v.title]))
        if self.versions:
            self.history_list.setCurrentItem(self.history_list.topLevelItem(0))

    def _version_chosen(self, item, _previous=None) -> None:
        index = self.history_list.indexOfTopLevelItem(item) if item is not None else -1
        if 0 <= index < len(self.versions):
            self.version_text.setMarkdown(self.versions[index].body)
        else:
            self.version_text.clear()

    # --- editing --------------------------------------------------------------------

    def _enter_edit(self, view: PageView | None) -> None:
        self.form.start(view)
        self.right.setCurrentWidget(self.form)
        self.list.setEnabled(False)
        self.new_button.setEnabled(False)

    def _leave_edit(self) -> None:
        self.right.setCurrentWidget(self.tabs)
        self.list.setEnabled(True)
        self.new_button.setEnabled(True)
        self.tabs.setCurrentIndex(0)
        # After a save the list refreshes by itself (AppState.changed) and selects the saved page.
        self._show_page(self.current())
