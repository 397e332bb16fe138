"""Switching the UI language while signed in: the main window is built again in the new language.

Every page reads its text with ``_()`` when it is built, so the cheapest correct way to change
all of it is a new window on the same ``AppState`` (same office, same operator, same worker).
Open proposal editors are closed first, which autosaves their typing, and opened again in the
new window with that typing put back without a question.
"""

from __future__ import annotations

from app import i18n
from app.ui.qt import QCoreApplication, QLocale, QWidget

# The window that replaced the first one; Qt does not keep a parentless window alive by itself.
_windows: list[QWidget] = []


def apply_language(code: str) -> None:
    """Make ``code`` the language of every string looked up from now on (core, UI and Qt's)."""
    i18n.set_language(code)
    if code == "id":
        QLocale.setDefault(QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia))
    else:
        QLocale.setDefault(QLocale.system())


def switch_language(window: QWidget, code: str) -> QWidget:
    """Rebuild ``window`` (a MainWindow) in ``code``; return the new window, shown where the old one was."""
    from app.ui.main_window import MainWindow

    apply_language(code)
    if not isinstance(window, MainWindow):
        return window  # a page shown on its own (tests): the text changes when it is built again
    state = window.state
    proposals = window.pages.get("proposals")
    reopen: list[tuple[str | None, int]] = []  # (proposal, the tab it was on)
    for editor in list(getattr(proposals, "editors", {}).values()):
        if editor.isVisible():
            reopen.append((editor.proposal_id, editor.tabs.currentIndex()))
            editor.close_quietly()  # closing autosaves what was typed; it opens again at once
    # The old window's background sender stops (waiting for a round in flight); the new one starts.
    old_scheduler = getattr(window, "scheduler", None)
    was_sending = old_scheduler is not None and old_scheduler.timer.isActive()
    if old_scheduler is not None:
        old_scheduler.stop()
    # Let the worker finish (the autosave above included) and deliver its results to the old
    # pages while they still exist; after this nothing is in flight for them.
    state.runner.wait()
    QCoreApplication.processEvents()
    state.disconnect_listeners()

    # The same pages (not built here: a page built now would listen to the state after it was let go).
    specs = tuple(window.page_specs())
    current, geometry = window.current_key(), window.saveGeometry()
    new = MainWindow(state, specs)
    new.restoreGeometry(geometry)
    new.show_page(current)
    new.show()
    if was_sending:
        new.start_background()
    window.hide()  # not close(): closing the main window signs out
    window.deleteLater()
    _windows[:] = [new]

    page = new.pages.get("proposals")
    reopen_editor = getattr(page, "reopen_editor", None)
    if reopen_editor is not None:
        for proposal_id, tab in reopen:
            reopen_editor(proposal_id).tabs.setCurrentIndex(tab)
    state.language_changed.emit(code)
    return new


def current_window() -> QWidget | None:
    """The window built by the last switch (None before any)."""
    return _windows[-1] if _windows else None
