"""The main window: left navigation, one page at a time, a status bar. It wires pages; pages own their widgets."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from app.i18n import _
from app.ui.errors import show_error
from app.ui.icons import icon
from app.ui.qt import (
    QApplication,
    QCloseEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QShortcut,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from app.ui.screen_fit import fit_to_screen, keep_on_screen
from app.ui.settings_store import LAST_PAGE, WINDOW_GEOMETRY, Settings
from app.ui.state import AppState


@dataclass(frozen=True)
class PageSpec:
    """A page by key and import path; importing it waits until the window is built.

    So the sign-in dialog, which comes first, does not pay for the editor's imports, and the
    registry stays one line per page.
    """

    key: str
    module: str
    class_name: str

    def load(self) -> type[QWidget]:
        return getattr(importlib.import_module(self.module), self.class_name)


# The order here is the order of the navigation and of Ctrl+1 .. Ctrl+6.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "app.ui.pages.dashboard", "DashboardPage"),
    PageSpec("proposals", "app.ui.pages.proposals", "ProposalsPage"),
    PageSpec("muskel", "app.ui.pages.muskel", "MuskelPage"),
    PageSpec("counter", "app.ui.pages.counter", "CounterPage"),
    PageSpec("complaints", "app.ui.pages.complaints", "ComplaintsPage"),
    PageSpec("sync", "app.ui.pages.sync", "SyncPage"),
    PageSpec("people", "app.ui.pages.people", "PeoplePage"),
    PageSpec("playbook", "app.ui.pages.playbook", "PlaybookPage"),
    PageSpec("settings", "app.ui.pages.settings", "SettingsPage"),
)


class MainWindow(QMainWindow):
    def __init__(self, state: AppState, pages: tuple[PageSpec, ...] = PAGES) -> None:
        super().__init__()
        self.state = state
        self.settings = Settings()
        self.keys: list[str] = []
        self.pages: dict[str, QWidget] = {}
        # Pages find the background sender on the state; it starts with start_background().
        # Imported here: its network stack is not needed before sign-in.
        from app.ui.sync_scheduler import SyncScheduler

        self.scheduler = SyncScheduler(state)
        state.scheduler = self.scheduler
        ctx = state.ctx
        self.setWindowTitle(f"Usulkan \u2014 {ctx.office_name}" if ctx else "Usulkan")

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(220)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+1..6 is the keyboard way
        self.stack = QStackedWidget()
        for number, spec in enumerate(pages, start=1):
            self._add_page(number, spec)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)

        brand = QLabel("Usulkan")
        brand.setObjectName("pageHeading")
        office = QLabel(ctx.office_name if ctx else "")
        office.setObjectName("hint")
        office.setWordWrap(True)
        side = QWidget()
        side.setObjectName("sidePanel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 16, 0, 0)
        side_layout.setSpacing(2)
        for label in (brand, office):
            label.setContentsMargins(18, 0, 12, 0)
            side_layout.addWidget(label)
        side_layout.addSpacing(12)
        side_layout.addWidget(self.navigation, 1)
        side.setStyleSheet("QWidget#sidePanel { background: #eef2f4; }")

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_shortcuts()
        state.navigate.connect(self.navigate)
        state.failed.connect(lambda error: show_error(self, error))
        state.busy.connect(self._show_busy)
        state.signed_out.connect(self._signed_out_elsewhere)
        self._closing = False
        self.scheduler.state_changed.connect(self._show_dinsos_state)
        self.scheduler.running_changed.connect(lambda _running: self._show_dinsos_state())

        if not self.restoreGeometry(self.settings.get(WINDOW_GEOMETRY)):
            fit_to_screen(self, 1200, 720)
        else:
            keep_on_screen(self)  # saved on a bigger screen, or before the taskbar moved
        last = self.settings.get(LAST_PAGE)
        self.show_page(last if last in self.pages else self.keys[0])
        self._yield_shortcuts()

    # --- building -------------------------------------------------------------------

    def _add_page(self, number: int, spec: PageSpec) -> None:
        page_class = spec.load()
        page = page_class(self.state, self.stack)
        self.keys.append(spec.key)
        self.pages[spec.key] = page
        self.stack.addWidget(page)
        item = QListWidgetItem(icon(spec.key), _(page_class.title))
        item.setToolTip(f"Ctrl+{number}")
        self.navigation.addItem(item)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        ctx = self.state.ctx
        self.operator_label = QLabel(_("Signed in: {name}").format(name=ctx.operator_name) if ctx else "")
        self.office_label = QLabel(ctx.office_name if ctx else "")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setFixedWidth(120)
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setToolTip(_("Working ..."))
        self.busy_bar.hide()
        self.dinsos_label = QLabel()
        self.dinsos_label.setToolTip(_("Sending to the Dinsos: details on the Sending page"))
        bar.addWidget(self.operator_label)
        bar.addWidget(self.office_label)
        bar.addPermanentWidget(self.busy_bar)
        bar.addPermanentWidget(self.dinsos_label)
        self._show_dinsos_state()

    def _build_shortcuts(self) -> None:
        for number, key in enumerate(self.keys[:9], start=1):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self, lambda key=key: self.show_page(key))
        self.page_shortcuts = [
            QShortcut(QKeySequence.StandardKey.Find, self, lambda: self._call_on_page("focus_search")),
            QShortcut(QKeySequence.StandardKey.New, self, lambda: self._call_on_page("new_item")),
        ]
        self.stack.currentChanged.connect(self._yield_shortcuts)

    # --- pages ----------------------------------------------------------------------

    def current_key(self) -> str:
        return self.keys[self.stack.currentIndex()]

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def show_page(self, key: str) -> QWidget:
        index = self.keys.index(key)
        self.navigation.setCurrentRow(index)  # the stack follows the navigation
        return self.pages[key]

    def navigate(self, key: str, arg: object = None) -> None:
        """AppState.navigate: show ``key`` and, given an item, open it there."""
        if key not in self.pages:
            return
        page = self.show_page(key)
        open_item = getattr(page, "open_item", None)
        if arg is not None and open_item is not None:
            open_item(arg)

    def _yield_shortcuts(self, _index: int = 0) -> None:
        """A page that binds Ctrl+F / Ctrl+N itself keeps them: two equal shortcuts would both go dead."""
        own = {sc.key().toString() for sc in self.current_page().findChildren(QShortcut)}
        for shortcut in self.page_shortcuts:
            shortcut.setEnabled(shortcut.key().toString() not in own)

    def _call_on_page(self, name: str) -> None:
        method = getattr(self.current_page(), name, None)
        if method is not None:
            method()

    # --- status ---------------------------------------------------------------------

    def _show_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)

    def start_background(self) -> None:
        """Start sending in the background (the application does; most tests do not)."""
        self.scheduler.start()

    def _show_dinsos_state(self, _state: object = None) -> None:
        last = self.scheduler.last
        if last is None:
            # Until the sender has read the office's sync state (it does as it starts): say nothing.
            self.dinsos_label.setText("")
            return
        from app.ui.pages.sync import status_text

        self.dinsos_label.setText(status_text(last, self.scheduler.running))

    # --- closing --------------------------------------------------------------------

    def _signed_out_elsewhere(self) -> None:
        """The session ended without this window closing (a leaver revoked on this PC): make way."""
        if self._closing:
            return
        self.state.sign_in_again = True
        self.setEnabled(False)  # nothing here can reach the office any more
        self._leave_when_free()

    def _leave_when_free(self) -> None:
        # A wizard that ended the session still shows its last page: close once it is gone.
        if QApplication.activeModalWidget() is not None:
            QTimer.singleShot(300, self._leave_when_free)
            return
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self._closing = True
        self.settings.set(WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set(LAST_PAGE, self.current_key())
        # Waits for a send in flight and for the worker, then closes the database.
        self.scheduler.stop()
        if self.state.ctx is not None:
            self.state.sign_out()
        event.accept()
