"""Every window and dialog fits an office screen: 1366x768 less the taskbar, Save and Close visible."""

from __future__ import annotations

import pytest

from app.ui.qt import QApplication, QRect
from app.ui.screen_fit import OFFICE_SCREEN
from tests.factories import proposal_dict

W, H = OFFICE_SCREEN
LONG_WARNING = "NIK ini diterbitkan di luar kabupaten/kota kantor ini. " * 8


def _main_window(state):
    from app.ui.main_window import MainWindow

    return MainWindow(state)


def _editor(state):
    from app.ui.editor.proposal_editor import ProposalEditor

    editor = ProposalEditor(state)
    editor.start()
    return editor


def _editor_with_long_warnings(state):
    from app.domain.nik import NikOutsideOfficeRegion
    from app.domain.validation import Issue, Report

    editor = _editor(state)
    editor._show_report(Report([
        Issue(f"members[{i}].nik", NikOutsideOfficeRegion(regency=LONG_WARNING + str(i)), "warning")
        for i in range(6)
    ] + [Issue("address", NikOutsideOfficeRegion(regency=LONG_WARNING), "error")]))
    return editor


def _handover(state):
    from app.ui.handover_wizard import HandoverWizard

    return HandoverWizard(state, open_files=False)


def _choice(state):
    from app.ui.editor.prompts import ChoiceAndFileDialog

    return ChoiceAndFileDialog(None, "Keputusan muskel", [("eligible", "Layak"), ("not_eligible", "Tidak layak")])


def _signin(state):
    from app.ui.signin import SignInDialog

    return SignInDialog(state)


def _playbook(state):
    from app.ui.playbook.dialog import PlaybookDialog

    return PlaybookDialog(state)


def _register(state):
    from app.ui.pages.complaints import RegisterDialog

    return RegisterDialog(state)


def _progress(state):
    from app.ui.progress import ProgressDialog

    return ProgressDialog("Mengirim", "Menyiapkan berkas…")


def _enrol(state):
    from app.ui.people.enrol_wizard import EnrolWizard

    return EnrolWizard(state)


def _office_wizard(state):
    from app.ui.wizard.office_wizard import OfficeWizard

    return OfficeWizard(state)


def _revoke(state):
    from app.ui.people.revoke_wizard import RevokeWizard

    return RevokeWizard(state)


def _onboarding(state):
    from app.ui.people.onboarding import OnboardingDialog

    return OnboardingDialog(state)


def _totp_enrol(state):
    from app.ui.people.totp_dialog import TotpEnrolDialog

    return TotpEnrolDialog(state)


def _totp_remove(state):
    from app.ui.people.totp_dialog import TotpRemoveDialog

    return TotpRemoveDialog(state)


WINDOWS = [
    _main_window, _editor, _editor_with_long_warnings, _handover, _choice, _signin, _playbook,
    _register, _progress, _enrol, _office_wizard, _revoke, _onboarding, _totp_enrol, _totp_remove,
]


@pytest.mark.parametrize("build", WINDOWS, ids=[w.__name__.strip("_") for w in WINDOWS])
def test_the_size_hint_fits_1366x728(app_state, qtbot, build):
    window = build(app_state)
    qtbot.addWidget(window)
    window.show()
    QApplication.processEvents()
    for name, size in (("sizeHint", window.sizeHint()), ("minimumSizeHint", window.minimumSizeHint()),
                       ("minimumSize", window.minimumSize())):
        assert size.width() <= W and size.height() <= H, f"{name} {size.width()}x{size.height()}"
    assert window.frameGeometry().width() <= W and window.frameGeometry().height() <= H + 40


def test_the_editor_opens_inside_the_free_screen_area_with_save_and_close_visible(app_state, qtbot):
    editor = _editor_with_long_warnings(app_state)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    free = (editor.screen() or QApplication.primaryScreen()).availableGeometry()
    assert free.contains(editor.geometry()), (free, editor.geometry())
    inside = QRect(0, 0, editor.width(), editor.height())
    for button in (editor.save_button, *[b for b in editor.findChildren(type(editor.save_button)) if b.text() == "Tutup"]):
        top_left = button.mapTo(editor, button.rect().topLeft())
        assert button.isVisible() and inside.contains(QRect(top_left, button.size())), button.text()


def test_long_warnings_wrap_instead_of_widening_the_window(app_state, qtbot):
    editor = _editor_with_long_warnings(app_state)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.issues.sizeHint().width() < W
    assert all(box.label.wordWrap() for box in editor.issues.checks.values())


def test_the_main_window_opens_inside_the_free_screen_area(app_state, qtbot):
    window = _main_window(app_state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    free = (window.screen() or QApplication.primaryScreen()).availableGeometry()
    # The test screen is 800x800; the main window's own minimum width (965) is for 1366.
    assert free.top() <= window.geometry().top() and window.geometry().bottom() <= free.bottom(), window.geometry()
    assert window.width() <= W
