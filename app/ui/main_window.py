"""The main window: left navigation, one page at a time, a status bar. It wires pages; pages own their widgets."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from app.i18n import N_, _, p_
from app.ui.errors import show_error
from app.ui.icons import icon
from app.ui.qt import (
    QApplication,
    QCloseEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QFileDialog,
    QInputDialog,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPrintDialog,
    QProgressBar,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from app.ui.screen_fit import fit_to_screen, keep_on_screen
from app.ui.session_lock import IdleWatcher, LockScreen
from app.ui.settings_store import IDLE_LOCK_MINUTES, SETTINGS_CHANGED, WINDOW_GEOMETRY, Settings
from app.ui.state import AppState


# Modal questions the lock may answer with "Batal" (nothing is done); other modal dialogs hold typing.
QUESTIONS = (QMessageBox, QInputDialog, QFileDialog, QPrintDialog)


@dataclass(frozen=True)
class PageSpec:
    """A page by key and import path; importing it waits until the window is built.

    So the sign-in dialog, which comes first, does not pay for the editor's imports, and the
    registry stays one line per page.
    """

    key: str
    module: str
    class_name: str
    # The navigation's label (the page class's own title). Given, the page is imported and built only
    # when first shown or asked for, or in an idle moment after the window is up; without it, at once.
    title: str = ""

    def load(self) -> type[QWidget]:
        return getattr(importlib.import_module(self.module), self.class_name)


# The order here is the order of the navigation and of Ctrl+1 .. Ctrl+6.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "app.ui.pages.dashboard", "DashboardPage", N_("Home")),
    PageSpec("proposals", "app.ui.pages.proposals", "ProposalsPage", N_("Proposals")),
    PageSpec("muskel", "app.ui.pages.muskel", "MuskelPage", N_("Musyawarah")),
    PageSpec("counter", "app.ui.pages.counter", "CounterPage", N_("Counter")),
    PageSpec("complaints", "app.ui.pages.complaints", "ComplaintsPage", N_("Complaints")),
    PageSpec("sync", "app.ui.pages.sync", "SyncPage", N_("Sending")),
    PageSpec("people", "app.ui.pages.people", "PeoplePage", N_("People")),
    PageSpec("playbook", "app.ui.pages.playbook", "PlaybookPage", N_("Playbook")),
    PageSpec("field", "app.ui.pages.field_work", "GroundChecksPage", N_("Ground checks")),
    PageSpec("settings", "app.ui.pages.settings", "SettingsPage", N_("Settings")),
)


# What a field person's window shows: their ground checks, and their own settings.
FIELD_STAFF_PAGES = ("field", "settings")


class Pages(dict):
    """key -> page; a page not built yet is built when asked for (``pages["sync"]``, ``.get``, ``.items``).

    Start-up builds only the page shown first: importing and building all nine was a third of the
    time from starting the application to a usable window. The rest follow in idle moments.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._window = window

    def __missing__(self, key: str) -> QWidget:
        if key not in self._window.keys:
            raise KeyError(key)
        return self._window._build_page(key)

    def __contains__(self, key: object) -> bool:
        return key in self._window.keys

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(key, self[key]) for key in self._window.keys]  # in the navigation's order

    def values(self):
        return [self[key] for key in self._window.keys]

    def __iter__(self):
        return iter(self._window.keys)

    def __len__(self) -> int:
        return len(self._window.keys)


IDLE_BUILD_AFTER_MS = 300


class MainWindow(QMainWindow):
    def __init__(self, state: AppState, pages: tuple[PageSpec, ...] = PAGES) -> None:
        super().__init__()
        self.state = state
        self.settings = Settings()
        self.keys: list[str] = []
        self._specs: dict[str, PageSpec] = {}
        self.pages: dict[str, QWidget] = Pages(self)
        # Pages find the background sender on the state; it starts with start_background().
        # Imported here: its network stack is not needed before sign-in.
        from app.ui.sync_scheduler import SyncScheduler

        self.scheduler = SyncScheduler(state)
        state.scheduler = self.scheduler
        ctx = state.ctx
        if ctx is not None and ctx.operator_role == "field_staff" and pages is PAGES:
            pages = tuple(spec for spec in PAGES if spec.key in FIELD_STAFF_PAGES)  # no office work (issue 14)
        # Qt appends the application's display name ("Kelurahan X \u2014 Usulkan"): the name once.
        self.setWindowTitle(ctx.office_name if ctx else "Usulkan")

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(220)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+1..6 is the keyboard way
        self.stack = QStackedWidget()
        for number, spec in enumerate(pages, start=1):
            self._add_page(number, spec)
        self.navigation.currentRowChanged.connect(self._row_chosen)

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
        # A shared office PC: step away (Kunci) or hand over to the next person (Keluar).
        self.lock_button = QPushButton(p_("button", "Lock"))
        self.lock_button.setToolTip(_("Lock the window while you step away (Ctrl+L); your typing is kept"))
        self.lock_button.clicked.connect(lambda: self.lock())
        self.sign_out_button = QPushButton(p_("button", "Sign out"))
        self.sign_out_button.setToolTip(_("Sign out, so that the next person signs in with their own name"))
        self.sign_out_button.clicked.connect(self.sign_out)
        session_row = QHBoxLayout()
        session_row.setContentsMargins(12, 8, 12, 12)
        session_row.addWidget(self.lock_button)
        session_row.addWidget(self.sign_out_button)
        side_layout.addLayout(session_row)
        side.setStyleSheet("QWidget#sidePanel { background: #eef2f4; }")

        working = QWidget()
        layout = QHBoxLayout(working)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.lock_screen = LockScreen(state)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.switch_person.connect(self.sign_out)
        self.screens = QStackedWidget()
        self.screens.addWidget(working)
        self.screens.addWidget(self.lock_screen)
        self.setCentralWidget(self.screens)
        self._hidden_windows: list[QWidget] = []
        self._disabled_shortcuts: list[QShortcut] = []

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
        # Each session starts on Beranda: the last person's page (their search, their list)
        # is not the next person's business.
        self.show_page(self.keys[0])
        self._yield_shortcuts()
        self.idle = IdleWatcher(QApplication.instance(), self.settings.get(IDLE_LOCK_MINUTES), self)
        self.idle.idle.connect(lambda: self.lock(idle=True))
        state.changed.connect(self._settings_changed)
        # The other pages, one per idle moment once the window is up (each on its own, never all at once).
        self._idle_build = QTimer(self)
        self._idle_build.setInterval(0)
        self._idle_build.timeout.connect(self._build_next_page)
        QTimer.singleShot(IDLE_BUILD_AFTER_MS, self._idle_build.start)

    # --- building -------------------------------------------------------------------

    def _add_page(self, number: int, spec: PageSpec) -> None:
        self.keys.append(spec.key)
        self._specs[spec.key] = spec
        if spec.title:
            self.stack.addWidget(QWidget())  # stands in until the page is first needed
            title = spec.title
        else:
            page = spec.load()(self.state, self.stack)
            dict.__setitem__(self.pages, spec.key, page)
            self.stack.addWidget(page)
            title = type(page).title
        item = QListWidgetItem(icon(spec.key), _(title))
        item.setToolTip(f"Ctrl+{number}")
        self.navigation.addItem(item)

    def page_specs(self) -> list[PageSpec]:
        """The pages of this window, in order (a rebuilt window takes the same)."""
        return [self._specs[key] for key in self.keys]

    def _build_page(self, key: str) -> QWidget:
        index = self.keys.index(key)
        page = self._specs[key].load()(self.state, self.stack)
        dict.__setitem__(self.pages, key, page)
        current = self.stack.currentIndex()
        stand_in = self.stack.widget(index)
        self.stack.blockSignals(True)  # the swap is not a change of page
        try:
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(stand_in)
            self.stack.setCurrentIndex(current)
        finally:
            self.stack.blockSignals(False)
        stand_in.deleteLater()
        if index == current:
            self._yield_shortcuts()
        return page

    def _build_next_page(self) -> None:
        missing = [key for key in self.keys if not dict.__contains__(self.pages, key)]
        if not missing or self.state.ctx is None:
            self._idle_build.stop()
            return
        self.pages[missing[0]]

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.keys):
            self.pages[self.keys[row]]  # built now if it was not yet
        self.stack.setCurrentIndex(row)

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
        if ctx is not None and ctx.repaired_outbox_items:
            # Said once, at the sign-in that repaired them; the audit log keeps which ones.
            from app.services.outbox import repair_text

            self.repair_label = QLabel(repair_text(ctx.repaired_outbox_items))
            self.repair_label.setObjectName("warning")
            self.repair_label.setWordWrap(True)
            bar.addWidget(self.repair_label, 1)

    def _build_shortcuts(self) -> None:
        for number, key in enumerate(self.keys[:9], start=1):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self, lambda key=key: self.show_page(key))
        QShortcut(QKeySequence("Ctrl+L"), self, lambda: self.lock())
        self.page_shortcuts = [
            QShortcut(QKeySequence.StandardKey.Find, self, lambda: self._call_on_page("focus_search")),
            QShortcut(QKeySequence.StandardKey.New, self, lambda: self._call_on_page("new_item")),
        ]
        self.stack.currentChanged.connect(self._yield_shortcuts)

    # --- pages ----------------------------------------------------------------------

    def current_key(self) -> str:
        return self.keys[self.stack.currentIndex()]

    def current_page(self) -> QWidget:
        return self.pages[self.current_key()]

    def show_page(self, key: str) -> QWidget:
        index = self.keys.index(key)
        page = self.pages[key]
        self.navigation.setCurrentRow(index)  # the stack follows the navigation
        self.stack.setCurrentIndex(index)
        return page

    def navigate(self, key: str, arg: object = None) -> None:
        """AppState.navigate: show ``key`` and, given an item, open it there."""
        if key not in self.pages or self.is_locked():
            return
        page = self.show_page(key)
        open_item = getattr(page, "open_item", None)
        if arg is not None and open_item is not None:
            open_item(arg)

    def _yield_shortcuts(self, _index: int = 0) -> None:
        """A page that binds Ctrl+F / Ctrl+N itself keeps them: two equal shortcuts would both go dead."""
        own = {sc.key().toString() for sc in self.stack.currentWidget().findChildren(QShortcut)}
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
        """Start sending and the daily backup in the background (the application does; most tests do not)."""
        self.scheduler.start()
        from app.ui.backup_scheduler import BackupScheduler

        self.backup_scheduler = BackupScheduler(self.state, self)
        self.backup_scheduler.start()

    def _show_dinsos_state(self, _state: object = None) -> None:
        last = self.scheduler.last
        if last is None:
            # Until the sender has read the office's sync state (it does as it starts): say nothing.
            self.dinsos_label.setText("")
            return
        from app.ui.pages.sync import status_text

        self.dinsos_label.setText(status_text(last, self.scheduler.running))

    # --- a shared PC: lock, unlock, sign out ---------------------------------------

    def is_locked(self) -> bool:
        return self.screens.currentWidget() is self.lock_screen

    def lock(self, *, idle: bool = False) -> None:
        """Hide every person's data behind the lock screen; the session and its typing stay."""
        if self.is_locked() or self.state.ctx is None or self._closing:
            return
        modal = QApplication.activeModalWidget()
        if modal is not None:
            if isinstance(modal, QUESTIONS):
                # A question nobody answers: "Batal", nothing is done, it is asked again when needed.
                modal.reject()
                QTimer.singleShot(0, lambda: self.lock(idle=idle))
            else:
                # A wizard or form with typing in it would lose it: wait for another idle period.
                self.idle.restart()
            return
        # Open proposals and other windows hide too, as they are, and come back on unlock.
        self._hidden_windows = [
            w for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and w.windowType() not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)
        ]
        for window in self._hidden_windows:
            # The typing stays in the window, and goes to the encrypted drafts now as well:
            # a PC switched off while locked loses nothing.
            flush = getattr(getattr(window, "autosave", None), "flush", None)
            if flush is not None:
                flush()
            window.hide()
        self.idle.timer.stop()
        # Ctrl+N, Ctrl+F, Ctrl+1..9 would reach the pages behind the lock screen.
        self._disabled_shortcuts = [sc for sc in self.findChildren(QShortcut) if sc.isEnabled()]
        for shortcut in self._disabled_shortcuts:
            shortcut.setEnabled(False)
        self.screens.setCurrentWidget(self.lock_screen)
        self.statusBar().hide()
        self.lock_screen.prepare(idle=idle)
        from app.services import session

        self.state.run(lambda ctx: session.lock(ctx, idle=idle), on_error=lambda _e: None)

    def unlock(self) -> None:
        for shortcut in self._disabled_shortcuts:
            shortcut.setEnabled(True)
        self._disabled_shortcuts = []
        self._yield_shortcuts()
        self.screens.setCurrentIndex(0)
        self.statusBar().show()
        windows, self._hidden_windows = self._hidden_windows, []
        for window in windows:
            window.show()
        self.idle.restart()

    def sign_out(self) -> None:
        """End this person's session; the sign-in comes next. Open forms keep their typing as drafts."""
        if self._closing:
            return
        windows = [w for w in QApplication.topLevelWidgets() if w is not self and w.isVisible()]
        windows += [w for w in self._hidden_windows if w not in windows]
        self._hidden_windows = []
        refused = False
        for window in windows:
            # Typing not yet autosaved goes into the encrypted drafts first, while the session is open.
            flush = getattr(getattr(window, "autosave", None), "flush", None)
            if flush is not None:
                flush()
            refused |= not window.close()  # a hidden editor's close event runs as a visible one's
        if refused:
            # A window asked, and the person chose to stay; locked, what stays open hides again.
            if self.is_locked():
                self._hidden_windows = [w for w in windows if w.isVisible()]
                for window in self._hidden_windows:
                    window.hide()
            return
        self.state.sign_in_again = True
        self.close()

    def _settings_changed(self, what: str) -> None:
        if what == SETTINGS_CHANGED:
            self.idle.set_minutes(self.settings.get(IDLE_LOCK_MINUTES))

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
        self.idle.stop()
        self._idle_build.stop()
        self.settings.set(WINDOW_GEOMETRY, self.saveGeometry())
        # Waits for a send in flight and for the worker, then closes the database.
        self.scheduler.stop()
        if getattr(self, "backup_scheduler", None) is not None:
            self.backup_scheduler.stop()  # a backup in flight finishes before the database closes
        if self.state.ctx is not None:
            self.state.sign_out()
        # Nobody's document stays readable for the next person at this PC.
        from app.ui.viewer import empty_viewer_folder

        empty_viewer_folder()
        event.accept()
