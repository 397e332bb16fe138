"""The main window: Ctrl+1..6 switch pages, navigate opens items, errors are explained, closing signs out."""

from __future__ import annotations


import pytest

from app.i18n import _
from app.services import proposal_io, proposals
from app.storage.vault import WrongPassphrase
from app.ui.main_window import MainWindow
from app.ui.qt import QKeySequence, QMessageBox, QShortcut, Qt
from tests.factories import proposal_dict


pytestmark = pytest.mark.usefixtures("_own_settings", "_every_page_importable")


@pytest.fixture
def window(qtbot, app_state):
    window = MainWindow(app_state)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    return window


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.ControlModifier):
    qtbot.keyClick(window.focusWidget() or window, key, modifier)


def test_the_navigation_lists_every_page_in_order(window):
    assert window.keys == ["dashboard", "proposals", "muskel", "counter", "complaints", "sync", "people", "playbook",
                           "field", "settings"]
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == [_(type(window.pages[key]).title) for key in window.keys]
    assert titles[0] == "Beranda" and titles[-1] == "Pengaturan"


def test_ctrl_number_switches_pages(qtbot, window):
    assert window.current_key() == "dashboard"
    press(qtbot, window, Qt.Key.Key_2)
    assert window.current_key() == "proposals"
    assert window.stack.currentWidget() is window.pages["proposals"]
    press(qtbot, window, Qt.Key.Key_6)
    assert window.current_key() == "sync"
    press(qtbot, window, Qt.Key.Key_1)
    assert window.current_key() == "dashboard"
    window.navigation.setCurrentRow(4)  # a click in the navigation does the same
    assert window.stack.currentWidget() is window.pages["complaints"]


def test_navigate_shows_the_page_and_opens_the_item(qtbot, window, app_state, monkeypatch):
    summary = proposals.add_proposal(
        app_state.ctx, proposal_io.proposal_from_dict(proposal_dict()),
        confirmed_warnings={"nik_outside_office_region"},
    )
    opened = []
    monkeypatch.setattr(window.pages["proposals"], "open_item", opened.append)
    app_state.navigate.emit("proposals", summary.id)
    assert window.current_key() == "proposals"
    assert opened == [summary.id]


def test_ctrl_f_and_ctrl_n_reach_the_current_page(qtbot, window, monkeypatch):
    calls = []
    page = window.show_page("dashboard")
    monkeypatch.setattr(page, "focus_search", lambda: calls.append("search"), raising=False)
    monkeypatch.setattr(page, "new_item", lambda: calls.append("new"), raising=False)
    press(qtbot, window, Qt.Key.Key_F)
    press(qtbot, window, Qt.Key.Key_N)
    assert calls == ["search", "new"]


def test_a_page_with_its_own_ctrl_f_keeps_it(qtbot, window, monkeypatch):
    own, window_calls = [], []
    page = window.pages["settings"]
    QShortcut(QKeySequence.StandardKey.Find, page, lambda: own.append("page"))
    monkeypatch.setattr(page, "focus_search", lambda: window_calls.append("window"), raising=False)
    window.show_page("settings")
    press(qtbot, window, Qt.Key.Key_F)
    assert own == ["page"] and window_calls == []  # not both, and not neither (ambiguous)


def test_an_unhandled_error_is_shown_in_indonesian(qtbot, window, app_state):
    app_state.failed.emit(WrongPassphrase())
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1
    assert boxes[0].text().startswith("Kata sandi salah.")
    assert "Traceback" not in boxes[0].text()
    boxes[0].close()


def test_the_busy_indicator_follows_the_state(window, app_state):
    assert window.busy_bar.isHidden()
    app_state.busy.emit(True)
    assert not window.busy_bar.isHidden()
    app_state.busy.emit(False)
    assert window.busy_bar.isHidden()


def test_the_status_bar_names_the_operator_and_the_dinsos_state(window, app_state):
    assert "Ani Operator" in window.operator_label.text()
    assert window.office_label.text() == "Kelurahan Bugul Kidul"
    assert window.dinsos_label.text() == ""  # nothing claimed before the sender has read the state
    from app.services import sync_run

    window.scheduler._state_read(sync_run.sync_state(app_state.ctx))
    assert window.dinsos_label.text() == "Dinsos: belum tertaut"  # linked is not connected (issue 9)


def test_closing_signs_out(qtbot, window, app_state):
    window.show_page("complaints")
    window.resize(1111, 700)
    with qtbot.waitSignal(app_state.signed_out):
        window.close()
    assert app_state.ctx is None


def test_every_session_starts_on_beranda(qtbot, app_state):
    # It used to reopen the last page: the next person saw the previous one's list or search.
    first = MainWindow(app_state)
    qtbot.addWidget(first)
    first.show_page("settings")
    first.hide()
    window = MainWindow(app_state)
    qtbot.addWidget(window)
    assert window.current_key() == "dashboard"


def test_navigation_icons_are_vector_and_sharp_at_high_dpi(qapp):
    from app.ui.icons import icon
    from app.ui.main_window import PAGES
    from app.ui.qt import QSize

    for spec in PAGES + (type(PAGES[0])("usulkan", "", ""),):
        drawn = icon(spec.key).pixmap(QSize(96, 96))  # 4x the 24 px design size
        assert not drawn.isNull(), spec.key
        assert drawn.width() == 96, spec.key
        image = drawn.toImage()
        inked = sum(1 for x in range(0, 96, 4) for y in range(0, 96, 4) if image.pixelColor(x, y).alpha() > 0)
        assert inked > 10, spec.key  # the strokes were really drawn, not an empty square


def test_a_session_ended_from_inside_closes_the_window_for_the_next_sign_in(qtbot, window, app_state):
    window.start_background()
    assert app_state.scheduler is window.scheduler
    app_state.sign_out()  # e.g. the handover wizard revoked the person signed in here
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert app_state.sign_in_again and app_state.ctx is None
    assert not window.scheduler.timer.isActive()


def test_closing_the_window_is_an_ordinary_exit(qtbot, window, app_state):
    window.close()
    assert app_state.ctx is None and not app_state.sign_in_again


def test_run_gui_asks_for_a_sign_in_again_after_a_session_ends_inside(qapp, created_office, monkeypatch):
    from app.services.office import open_office
    from app.ui import main as ui_main
    from app.ui.qt import QDialog, QTimer
    from tests.conftest import OPERATOR_PASS

    folder, created = created_office
    shown = []

    class FakeSignIn:
        """Signs the operator in the first time; the second time nobody signs in (the app ends)."""

        def __init__(self, state):
            self.state = state
            shown.append(self)
            self.ctx = open_office(folder, created.operator_id, OPERATOR_PASS) if len(shown) == 1 else None

        def exec(self):
            if self.ctx is None:
                return QDialog.DialogCode.Rejected
            QTimer.singleShot(200, self.state.sign_out)  # the session ends while the window is up
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr("app.ui.signin.SignInDialog", FakeSignIn)
    monkeypatch.setattr(ui_main, "settle_garbage_collector", lambda: None)
    assert ui_main.run_gui(folder) == 0
    assert len(shown) == 2  # back to the sign-in, not out of the application
