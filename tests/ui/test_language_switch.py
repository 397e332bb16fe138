"""Choosing another language in Settings applies at once: a new window, the same office, typing kept."""

from __future__ import annotations

import pytest

from app import i18n
from app.ui import language
from app.ui.main_window import MainWindow
from app.ui.qt import QCoreApplication, QEvent
from tests.fakes.prompts import Answers

pytestmark = pytest.mark.usefixtures("_own_settings", "_every_page_importable")


@pytest.fixture
def old_window(qtbot, app_state, monkeypatch):
    # Every question the editor asks is answered "no": typing must come back without one.
    monkeypatch.setattr("app.ui.editor.proposal_editor.Prompts", lambda parent: Answers(yes=False))
    window = MainWindow(app_state)  # not given to qtbot: the switch deletes it
    window.show()
    yield window
    new = language.current_window()
    if new is not None and new is not window:
        qtbot.addWidget(new)
    language._windows.clear()


def nav_texts(window) -> list[str]:
    return [window.navigation.item(i).text() for i in range(window.navigation.count())]


def choose(window, code: str) -> MainWindow:
    settings = window.show_page("settings")
    settings.language.setCurrentIndex(settings.language.findData(code))
    return language.current_window()


def test_switching_to_english_rebuilds_the_window_and_keeps_the_session(app_state, qtbot, old_window):
    ctx = app_state.ctx
    indonesian = nav_texts(old_window)
    editor = old_window.pages["proposals"].new_item()
    editor.household.inputs["address"].setText("JL. MAWAR NO. 7")
    editor.household.edited.emit("address")
    editor.tabs.setCurrentIndex(editor.tabs.indexOf(editor.attachments))  # the operator was on Documents

    new = choose(old_window, "en")

    assert i18n.current_language() == "en"
    assert new is not None and new is not old_window and new.isVisible()
    assert app_state.ctx is ctx  # still signed in, same office, same operator
    assert new.current_key() == "settings"
    english = nav_texts(new)
    assert "Proposals" in english and english != indonesian
    assert "at once" in new.pages["settings"].language_note.text()
    reopened = new.pages["proposals"].editors[None]
    assert reopened is not editor and reopened.isVisible()
    assert reopened.household.inputs["address"].text() == "JL. MAWAR NO. 7"
    assert reopened.heading.text() == "New proposal"
    assert reopened.tabs.currentWidget() is reopened.attachments  # the same tab, now in English

    # The old window and its pages are gone, and nothing still calls into them.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app_state.changed.emit("proposals")
    app_state.changed.emit("attachments")
    app_state.navigate.emit("counter", None)
    assert new.current_key() == "counter"

    back = choose(new, "id")
    assert nav_texts(back) == indonesian
    assert back.pages["proposals"].editors[None].household.inputs["address"].text() == "JL. MAWAR NO. 7"
    back.pages["proposals"].editors[None].close()


def test_the_new_window_still_signs_out_on_close(app_state, qtbot, old_window):
    new = choose(old_window, "en")
    assert new is not old_window
    new.close()
    assert app_state.ctx is None


def test_the_background_sender_moves_to_the_new_window(app_state, qtbot, old_window):
    old_window.start_background()
    old_scheduler = old_window.scheduler
    new = choose(old_window, "en")
    assert not old_scheduler.timer.isActive()  # the old window sends nothing any more
    assert new.scheduler is not old_scheduler and new.scheduler.timer.isActive()
    assert app_state.scheduler is new.scheduler  # the new Sending page talks to the live one
    new.close()
    assert not new.scheduler.timer.isActive()
