"""Sign-in: a wrong passphrase is explained and cleared, the right one opens, throttling counts down."""

from __future__ import annotations

import pytest

from app.ui.qt import QDialog, Qt
from app.ui.signin import SignInDialog
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests.conftest import OPERATOR_PASS


@pytest.fixture
def dialog(qtbot, created_office):
    folder, created = created_office
    state = AppState(folder, runner=InlineRunner())
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    if dialog.ctx is not None:
        dialog.ctx.close()


def choose(dialog, name):
    index = dialog.operator.findText(name)
    assert index >= 0, [dialog.operator.itemText(i) for i in range(dialog.operator.count())]
    dialog.operator.setCurrentIndex(index)


def test_operators_are_offered_by_name(dialog):
    names = {dialog.operator.itemText(i) for i in range(dialog.operator.count())}
    assert names == {"Bapak Lurah", "Ani Operator"}


def test_wrong_then_right_passphrase(qtbot, dialog, created_office):
    _folder, created = created_office
    choose(dialog, "Ani Operator")
    qtbot.keyClicks(dialog.passphrase, "bukan kata sandinya")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)

    assert dialog.ctx is None
    assert dialog.message.isVisible()
    assert "Kata sandi salah" in dialog.message.text()
    assert dialog.passphrase.text() == ""
    assert dialog.passphrase.hasFocus() or not dialog.isActiveWindow()  # offscreen may not give focus
    assert dialog.isVisible()

    qtbot.keyClicks(dialog.passphrase, OPERATOR_PASS)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.ctx is not None and dialog.ctx.operator_id == created.operator_id
    assert dialog.passphrase.text() == ""


def test_repeated_failures_are_throttled_with_a_countdown(qtbot, dialog):
    choose(dialog, "Ani Operator")
    for _attempt in range(3):  # three free attempts, then the vault makes us wait
        qtbot.keyClicks(dialog.passphrase, "salah salah salah")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        assert "Kata sandi salah" in dialog.message.text()
    qtbot.keyClicks(dialog.passphrase, OPERATOR_PASS)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)

    assert dialog.ctx is None
    assert dialog.is_waiting()
    assert "Terlalu banyak percobaan" in dialog.message.text()
    assert "detik" in dialog.message.text()
    assert not dialog.sign_in_button.isEnabled()
    # The countdown ends by itself and the button comes back.
    qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled(), timeout=5000)
    assert not dialog.is_waiting()
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.ctx is not None


def test_the_lurah_opens_with_the_recovery_code(qtbot, dialog, created_office):
    _folder, created = created_office
    qtbot.mouseClick(dialog.forgot_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1
    qtbot.keyClicks(dialog.recovery_code, "AAAA-BBBB-CCCC")
    qtbot.mouseClick(dialog.recover_button, Qt.MouseButton.LeftButton)
    assert dialog.ctx is None and dialog.message.text()

    dialog.recovery_code.setText(created.recovery_code)
    qtbot.mouseClick(dialog.recover_button, Qt.MouseButton.LeftButton)
    assert dialog.ctx is not None
    assert dialog.ctx.operator_id == created.lurah_id


def test_unlock_runs_off_the_gui_thread(qtbot, threaded_state):
    """With the real pool the dialog is busy (inputs disabled) until the worker answers."""
    threaded_state.ctx = None  # sign-in happens before any office is open
    dialog = SignInDialog(threaded_state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.operator.count() == 2, timeout=5000)
    choose(dialog, "Ani Operator")
    dialog.passphrase.setText(OPERATOR_PASS)
    dialog.sign_in()
    assert not dialog.passphrase.isEnabled()  # busy: nothing to type into meanwhile
    qtbot.waitUntil(lambda: dialog.ctx is not None, timeout=10_000)
    assert dialog.passphrase.isEnabled()
    dialog.ctx.close()


def test_the_last_person_who_signed_in_is_offered_first(qtbot, created_office):
    folder, created = created_office
    first = SignInDialog(AppState(folder, runner=InlineRunner()))
    qtbot.addWidget(first)
    choose(first, "Ani Operator")
    qtbot.keyClicks(first.passphrase, OPERATOR_PASS)
    qtbot.mouseClick(first.sign_in_button, Qt.MouseButton.LeftButton)
    assert first.result() == QDialog.DialogCode.Accepted
    first.ctx.close()
    again = SignInDialog(AppState(folder, runner=InlineRunner()))
    qtbot.addWidget(again)
    assert again.operator.currentText() == "Ani Operator"
    assert again.operator.currentData() == created.operator_id


WARM_CHILD = """
import sys, time
from pathlib import Path
from app.ui.main import make_application
from app.ui.signin import SignInDialog
from app.ui.state import AppState
from app.ui.tasks import TaskRunner
app = make_application()
before = {m for m in ("app.services.sync_run", "app.ui.main_window", "requests") if m in sys.modules}
state = AppState(Path(sys.argv[1]), TaskRunner())
dialog = SignInDialog(state); dialog.show()
deadline = time.monotonic() + 60
while time.monotonic() < deadline and "app.ui.pages.dashboard" not in sys.modules:
    app.processEvents(); time.sleep(0.01)
state.runner.wait()
print(sorted(before), dialog.operator.count(), dialog.ctx is None,
      all(m in sys.modules for m in ("app.services.sync_run", "app.services.dashboard", "app.ui.main_window", "requests")))
"""


def test_the_sign_in_window_imports_the_main_windows_modules_while_the_person_types(created_office):
    """bench/ui: two thirds of the wait after Masuk were imports; they now happen before it, without unlocking."""
    import subprocess
    import sys
    from pathlib import Path

    folder, _created = created_office
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", WARM_CHILD, str(folder)], capture_output=True, text=True,
                         timeout=120, cwd=root, env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr[-2000:]
    # Nothing of it before the dialog; all of it after, with the people listed and nobody signed in.
    assert out.stdout.split() == ["[]", "2", "True", "True"], out.stdout


def test_enter_in_the_passphrase_signs_in_and_opens_nothing_else(qtbot, threaded_state, monkeypatch):
    """Enter typed in the passphrase field signs in; it must not also press "Pulihkan dari cadangan".

    While the key is derived the field is disabled; the focus then moved to the restore button, which
    became the default and took the same Enter: the restore dialog opened over the signed-in window.
    """
    from app.ui import signin

    opened = []
    monkeypatch.setattr(signin.SignInDialog, "restore_from_backup", lambda self, prompts=None: opened.append(1))
    threaded_state.ctx = None
    dialog = SignInDialog(threaded_state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.operator.count() == 2, timeout=5000)
    choose(dialog, "Ani Operator")
    dialog.activateWindow()
    dialog.passphrase.setFocus()
    qtbot.keyClicks(dialog.passphrase, OPERATOR_PASS)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert not dialog.restore_button.isEnabled()  # busy: not a second way out meanwhile
    qtbot.waitUntil(lambda: dialog.ctx is not None, timeout=10_000)
    assert opened == []
    dialog.ctx.close()
