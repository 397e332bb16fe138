"""Start the desktop application: Qt, language and look, then first-run wizard or sign-in, then the window."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from app import i18n
from app.ui.icons import icon
from app.ui.qt import (
    QApplication,
    QCoreApplication,
    QDialog,
    QEvent,
    QLibraryInfo,
    QLocale,
    QThreadPool,
    QTranslator,
)
from app.ui.settings_store import APPLICATION, ORGANIZATION, Settings
from app.ui.style import apply_style
from app.ui.translator import CatalogueTranslator

log = logging.getLogger(__name__)

# Translators must outlive run_gui's frames: Qt keeps only a pointer to them.
_translators: list[QTranslator] = []


def install_translators(app: QApplication, lang: str) -> None:
    """Qt's own strings (qtbase_<lang>, if PySide6 ships it) first, then ours, which Qt asks first."""
    qt_translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_translator.load(f"qtbase_{lang}", folder):
        app.installTranslator(qt_translator)
        _translators.append(qt_translator)
    # Later-installed translators are asked first; ours answers None when it has nothing, so Qt
    # falls through to qtbase. PySide6 6.12 ships no qtbase_id: ui_session.po translates Qt's own
    # dialogs under their Qt context (msgctxt "QFileDialog", "QPlatformTheme", ...).
    ours = CatalogueTranslator(app)
    app.installTranslator(ours)
    _translators.append(ours)


def make_application() -> QApplication:
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationDisplayName("Usulkan")
    app.setWindowIcon(icon("usulkan"))
    lang = Settings().language()
    i18n.set_language(lang)
    if lang == "id":
        QLocale.setDefault(QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia))
    install_translators(app, lang)
    apply_style(app)
    return app


def run_gui(data_dir: Path) -> int:
    """The `usulkan` command without a subcommand, and `usulkan demo --launch`."""
    from app.ui.logs import OfficeLog

    office_log = OfficeLog()  # a file in the office folder, not the operator's terminal
    try:
        return _sessions(Path(data_dir), office_log)
    except BaseException:
        log.exception("the application stopped on an error")
        raise
    finally:
        office_log.close()


def _sessions(data_dir: Path, office_log) -> int:
    """Sign-in (or the first-run wizard), the window, and again for the next person after Keluar."""
    from app.ui.main_window import MainWindow
    from app.ui.people.onboarding import offer_onboarding
    from app.ui.signin import SignInDialog
    from app.ui.state import AppState
    from app.ui.viewer import empty_viewer_folder
    from app.ui.wizard import OfficeWizard

    office_log.attach(data_dir)
    app = make_application()
    # Copies handed to a viewer before a crash: gone before anyone signs in.
    empty_viewer_folder()
    state = AppState(data_dir)

    first_run = not (data_dir / "vault.json").exists()
    settled = False
    while True:
        dialog = OfficeWizard(state) if first_run else SignInDialog(state)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.ctx is None:
            state.runner.wait()
            return 0
        state.sign_in(dialog.ctx)
        office_log.attach(data_dir)  # after the first-run wizard: the office folder exists now
        log.info("session started")
        window = MainWindow(state)
        window.show()
        window.start_background()
        # A newcomer's first sign-in, or a handover waiting for them, opens their start page;
        # never right after the first-run wizard created the office.
        offer_onboarding(state, window, first_run=first_run)
        if not settled:
            settle_garbage_collector()
            settled = True
        code = app.exec()
        log.info("session ended")
        # The pages of this session stop listening: none of them refreshes for the next person.
        state.disconnect_listeners()
        window.deleteLater()
        if not state.sign_in_again:
            return code
        # The session ended from inside (Keluar, or a leaver revoked on this PC): the next person signs in.
        state.sign_in_again, first_run = False, False


def settle_garbage_collector() -> None:
    """Move everything alive after start-up out of the collector's sight (Instagram's gc.freeze).

    Qt, SQLAlchemy and the services leave several hundred thousand long-lived objects; a full
    collection walking them all, triggered while the worker writes, held the GIL for ~170 ms
    and froze the window. Frozen objects are never scanned again; new garbage still is.
    """
    gc.collect()
    gc.freeze()


def close_application() -> None:
    """Take Qt down in a fixed order before Python's own shutdown does it in any order.

    Left to the interpreter's exit, widgets, the pages' QObjects and the QApplication were
    destroyed in whatever order the collector found them: about one run in eight of the
    screenshot script ended in "shared QObject was deleted directly" and a crash. Harmless to
    the data (everything is committed by then), but an operator would see a crash report.
    """
    app = QApplication.instance()
    if app is None:
        return
    QThreadPool.globalInstance().waitForDone()
    for widget in QApplication.topLevelWidgets():
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    _translators.clear()
    app.shutdown()


def main_gui(data_dir: Path) -> int:
    """run_gui for a process of its own (the `usulkan` command): Qt is closed in order afterwards."""
    from app.ui.platform_check import window_problem

    problem = window_problem()
    if problem is not None:
        # Instead of Qt's English plugin error and an abort: what to install, in the user's language.
        print(problem.message(), file=sys.stderr)
        return 1
    try:
        return run_gui(data_dir)
    finally:
        close_application()
        from app.ui.viewer import empty_viewer_folder

        empty_viewer_folder()
