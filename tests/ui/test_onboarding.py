"""A newcomer's start page: opens by itself on their first sign-in only, and from the People page at any time."""

from __future__ import annotations

import pytest

from app.services import handover, operators, playbook, proposal_io, proposals
from app.services.office import open_office
from app.ui import settings_store
from app.ui.pages.people import PeoplePage
from app.ui.people.onboarding import OnboardingDialog, offer_onboarding
from app.ui.qt import QApplication, Qt
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests import factories
from tests.conftest import LURAH_PASS

CITRA_PASS = "sandi citra lestari"


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def citra(created_office, office, fast_kdf) -> str:
    """Citra is enrolled; Ani hands her a proposal with a note; the office has its starter playbook."""
    folder, created = created_office
    lurah = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        citra_id = operators.enrol_operator(lurah, name="Citra", role="operator", passphrase=CITRA_PASS,
                                            confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id
    finally:
        lurah.close()
    draft = proposals.add_proposal(office, proposal_io.proposal_from_dict(
        factories.household_with(["3575034708850003"])))
    handover.hand_over(office, from_operator=office.operator_id, assignments={f"proposal:{draft.id}": citra_id},
                       notes={f"proposal:{draft.id}": "Foto rumah belum ada"})
    playbook.ensure_starter_pages(office)
    return citra_id


def sign_in(qapp, folder, operator_id) -> AppState:
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(open_office(folder, operator_id, CITRA_PASS))
    return state


def sign_out(state: AppState) -> None:
    ctx, state.ctx = state.ctx, None
    ctx.close()


def dialogs() -> list[OnboardingDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, OnboardingDialog) and w.isVisible()]


def test_shown_on_the_first_sign_in_only(qtbot, qapp, created_office, citra):
    folder = created_office[0]
    state = sign_in(qapp, folder, citra)
    shown = []
    offer_onboarding(state, None, on_shown=shown.append)
    try:
        [dialog] = shown
        qtbot.addWidget(dialog)
        assert dialog.isVisible() and dialog in dialogs()
        assert dialog.heading.text() == "Selamat datang, Citra" and dialog.windowTitle() == "Panduan saya"
        work = [dialog.work.item(i).text() for i in range(dialog.work.count())]
        assert len(work) == 1 and "Usulan" in work[0] and "Foto rumah belum ada" in work[0]
        assert "Foto rumah belum ada" in dialog.notes.item(0).text()
        assert dialog.pages.count() >= 1 and dialog.page_text.toPlainText().strip()
        assert dialog.tabs.tabText(0) == "Pekerjaan saya (1)"
        with qtbot.waitSignal(state.navigate) as navigated:
            dialog.work.itemDoubleClicked.emit(dialog.work.item(0))
        assert navigated.args[0] == "proposals"
        dialog.close()
    finally:
        sign_out(state)

    again = sign_in(qapp, folder, citra)
    shown.clear()
    try:
        offer_onboarding(again, None, on_shown=shown.append)
        assert shown == []
    finally:
        sign_out(again)


def test_reachable_later_from_the_people_page(qtbot, app_state):
    page = PeoplePage(app_state)
    qtbot.addWidget(page)
    qtbot.mouseClick(page.start_page_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, OnboardingDialog) and dialog.isVisible()
    # Ani holds nothing here: an empty list says so instead of staying blank.
    assert dialog.work.count() == 1 and "Belum ada pekerjaan" in dialog.work.item(0).text()
    assert "Dinsos belum memutuskan" in dialog.decisions.item(0).text()
    dialog.close()
