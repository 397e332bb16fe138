"""A shared office PC: Kunci (lock) and Keluar (sign out) in the window, the idle lock, each session on Beranda."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services import autosave
from app.services.office import add_operator, open_office
from app.storage.models import AuditEntry
from app.ui import settings_store
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, Qt
from tests.conftest import OPERATOR_PASS
from tests.fakes.editor import editor_for


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def window(qtbot, app_state):
    window = MainWindow(app_state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def type_address(editor, text: str) -> None:
    editor.household.inputs["address"].setText(text)
    editor.household.edited.emit("address")


def audit_actions(ctx) -> list[str]:
    with ctx.reading() as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()]


def unlock_with(qtbot, window, text: str) -> None:
    screen = window.lock_screen
    qtbot.keyClicks(screen.passphrase, text)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)


def test_the_window_has_kunci_and_keluar(window):
    assert window.lock_button.text() == "Kunci"
    assert window.sign_out_button.text() == "Keluar"
    assert window.lock_button.isVisible() and window.sign_out_button.isVisible()


def test_kunci_hides_every_window_and_the_same_passphrase_brings_back_the_typing(qtbot, window, app_state):
    editor = editor_for(app_state, qtbot)
    type_address(editor, "JL. MAWAR NO. 7")
    assert editor.isVisible()

    qtbot.mouseClick(window.lock_button, Qt.MouseButton.LeftButton)
    assert window.is_locked()
    assert not window.stack.isVisible() and not window.navigation.isVisible()  # no one's data on screen
    assert not editor.isVisible()
    assert "Ani Operator" in window.lock_screen.who.text()
    # Also in the encrypted drafts at once, not only at the next autosave tick.
    assert autosave.load_form(app_state.ctx, editor.autosave.key)["form"]["household"]["address"] == "JL. MAWAR NO. 7"

    unlock_with(qtbot, window, "salah sekali")
    assert window.is_locked() and not editor.isVisible()
    assert window.lock_screen.message.text().startswith("Kata sandi salah.")

    unlock_with(qtbot, window, OPERATOR_PASS)
    assert not window.is_locked() and window.stack.isVisible()
    assert editor.isVisible()
    assert editor.household.inputs["address"].text() == "JL. MAWAR NO. 7"
    assert audit_actions(app_state.ctx)[-2:] == ["session.lock", "session.unlock"]


def test_another_persons_passphrase_does_not_open_the_locked_session(qtbot, window, app_state, fast_kdf):
    add_operator(app_state.ctx, name="Budi", role="operator", passphrase="kata sandi budi", kdf=fast_kdf)
    window.lock()
    unlock_with(qtbot, window, "kata sandi budi")
    assert window.is_locked()
    assert app_state.ctx.operator_name == "Ani Operator"
    assert "session.unlock" not in audit_actions(app_state.ctx)


def test_ctrl_l_locks(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked()


def test_the_window_locks_itself_when_idle_and_activity_postpones_it(qtbot, window):
    assert window.idle.timer.interval() == 10 * 60_000  # the default: ten minutes
    # Someone typing keeps it open well past one interval: presses every 200 ms against a
    # 1.2 s interval, for 1.6 s in all (wide margins: a loaded 2-core CI machine stalls).
    window.idle.timer.setInterval(1200)
    window.idle.restart()
    for _ in range(8):
        qtbot.wait(200)
        qtbot.keyClick(window.navigation, Qt.Key.Key_Down)
        assert not window.is_locked()
    qtbot.waitUntil(window.is_locked, timeout=5000)
    assert "tanpa digunakan" in window.lock_screen.who.text()


def test_the_idle_minutes_are_set_in_settings(qtbot, window):
    page = window.show_page("settings")
    page.idle_minutes.setValue(3)
    assert settings_store.Settings().get(settings_store.IDLE_LOCK_MINUTES) == 3
    assert window.idle.timer.interval() == 3 * 60_000
    again = MainWindow(window.state)
    qtbot.addWidget(again)
    assert again.idle.timer.interval() == 3 * 60_000


def test_keluar_signs_out_keeps_the_typing_as_a_draft_and_asks_for_the_next_sign_in(
        qtbot, window, app_state, created_office):
    folder, created = created_office
    editor = editor_for(app_state, qtbot)
    type_address(editor, "JL. MELATI NO. 3")
    with qtbot.waitSignal(app_state.signed_out):
        qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    assert app_state.ctx is None and app_state.sign_in_again
    assert not window.isVisible() and not editor.isVisible()
    ctx = open_office(folder, created.operator_id, OPERATOR_PASS)
    try:
        kept = autosave.load_form(ctx, editor.autosave.key)
        assert kept["form"]["household"]["address"] == "JL. MELATI NO. 3"
    finally:
        ctx.close()


def test_someone_else_signs_in_from_the_lock_screen(qtbot, window, app_state):
    editor = editor_for(app_state, qtbot)
    window.lock()
    with qtbot.waitSignal(app_state.signed_out):
        qtbot.mouseClick(window.lock_screen.other_button, Qt.MouseButton.LeftButton)
    assert app_state.sign_in_again and app_state.ctx is None
    assert editor not in [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_after_keluar_the_next_person_signs_in_and_starts_on_beranda(qapp, qtbot, created_office, monkeypatch,
                                                                     fast_kdf):
    """The real loop of run_gui: Ani signs in, opens Pengaturan, presses Keluar; Budi signs in next."""
    from app.services import office as office_service
    from app.ui.main import run_gui
    from app.ui.qt import QDialog, QTimer

    folder, created = created_office
    ctx = office_service.open_office(folder, created.operator_id, OPERATOR_PASS)
    budi = add_operator(ctx, name="Budi", role="operator", passphrase="kata sandi budi", kdf=fast_kdf)
    ctx.close()
    people = [(created.operator_id, OPERATOR_PASS), (budi, "kata sandi budi")]
    windows: list[MainWindow] = []

    class SignInAs(QDialog):
        def __init__(self, state, parent=None):
            super().__init__(parent)
            self.ctx = None
            self.state = state

        def exec(self):
            if not people:
                return QDialog.DialogCode.Rejected
            operator_id, passphrase = people.pop(0)
            self.ctx = office_service.open_office(folder, operator_id, passphrase)
            QTimer.singleShot(0, act)
            return QDialog.DialogCode.Accepted

    def act():
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        windows.append((window, window.current_key(), window.state.ctx.operator_name))
        if len(windows) == 1:
            window.show_page("settings")
            qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
        else:
            window.close()

    monkeypatch.setattr("app.ui.signin.SignInDialog", SignInAs)
    monkeypatch.setattr("app.ui.people.onboarding.offer_onboarding", lambda *a, **k: None)
    monkeypatch.setattr(MainWindow, "start_background", lambda self: None)
    assert run_gui(folder) == 0
    assert [(key, name) for _w, key, name in windows] == [("dashboard", "Ani Operator"), ("dashboard", "Budi")]
    first_state = windows[0][0].state
    # The first person's window no longer hears the office: nothing of it refreshes for Budi.
    assert first_state.receivers("2changed(QString)") == 0


def test_shortcuts_and_navigation_do_not_reach_behind_the_lock(qtbot, window, app_state):
    from app.services.proposal_io import proposal_from_dict
    from app.services.proposals import add_proposal
    from tests.factories import proposal_dict

    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    window.show_page("proposals")
    window.lock()
    before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    for key in (Qt.Key.Key_N, Qt.Key.Key_F, Qt.Key.Key_3):
        qtbot.keyClick(window.lock_screen.passphrase, key, Qt.KeyboardModifier.ControlModifier)
    app_state.navigate.emit("proposals", summary.id)  # e.g. a Beranda card or the journal
    QApplication.processEvents()
    assert {w for w in QApplication.topLevelWidgets() if w.isVisible()} == before
    assert window.is_locked() and window.current_key() == "proposals"
    unlock_with(qtbot, window, OPERATOR_PASS)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "muskel"  # the shortcuts work again


def test_an_unanswered_question_does_not_keep_the_pc_unlocked(qtbot, window):
    from app.ui.qt import QMessageBox, QTimer

    box = QMessageBox(QMessageBox.Icon.Question, "Antrean", "Masukkan ke antrean kirim?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, window)
    QTimer.singleShot(100, window.idle.idle.emit)  # nobody touched the PC for ten minutes
    answer = box.exec()
    assert answer != QMessageBox.StandardButton.Yes  # nothing was done for the person
    qtbot.waitUntil(window.is_locked, timeout=2000)


def test_a_wizard_with_typing_postpones_the_idle_lock(qtbot, window, app_state, fast_kdf):
    from app.ui.people.enrol_wizard import EnrolWizard
    from app.ui.qt import QTimer

    app_state.ctx.kdf = fast_kdf  # the cost a passphrase set here is sealed with
    wizard = EnrolWizard(app_state, window)
    seen = []

    def idle_then_close():
        window.idle.idle.emit()
        seen.append((window.is_locked(), wizard.isVisible(), window.idle.timer.isActive()))
        wizard.reject()

    QTimer.singleShot(100, idle_then_close)
    wizard.exec()
    assert seen == [(False, True, True)]  # not locked, the wizard still open, the idle timer running again


def test_the_lurah_unlocks_with_her_passphrase_or_the_recovery_code_an_operator_with_neither(
        qtbot, qapp, created_office, window):
    from app.services.office import open_office_with_recovery
    from app.ui.state import AppState
    from app.ui.tasks import InlineRunner
    from tests.conftest import LURAH_PASS

    folder, created = created_office
    # An operator's session: the recovery code (the Lurah's) does not open it.
    window.lock()
    unlock_with(qtbot, window, created.recovery_code)
    assert window.is_locked()

    # The Lurah opened the office with the recovery code (she forgot her passphrase).
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(open_office_with_recovery(folder, created.recovery_code))
    lurah_window = MainWindow(state)
    qtbot.addWidget(lurah_window)
    lurah_window.show()
    try:
        lurah_window.lock()
        assert lurah_window.lock_screen.field_label.text() == "Kata sandi atau kode pemulihan"
        unlock_with(qtbot, lurah_window, created.recovery_code)
        assert not lurah_window.is_locked()
        lurah_window.lock()
        unlock_with(qtbot, lurah_window, LURAH_PASS)
        assert not lurah_window.is_locked()
    finally:
        lurah_window.hide()
        state.ctx.close()
        state.ctx = None


def test_guessing_at_the_lock_screen_is_throttled_like_the_sign_in(qtbot, window):
    window.lock()
    screen = window.lock_screen
    for attempt in range(6):
        if not screen.unlock_button.isEnabled():
            break
        unlock_with(qtbot, window, f"tebakan {attempt}")
    assert window.is_locked()
    assert not screen.unlock_button.isEnabled()
    assert screen.message.text().startswith("Terlalu banyak")
