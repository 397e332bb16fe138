"""After the handover wizard: the successor acknowledges at sign-in, the Lurah countersigns later on the People page."""

from __future__ import annotations

import pytest

from app.services import handover_report, operators, proposal_io, proposals
from app.services.office import create_office, open_office
from app.ui.pages.people import CountersignDialog, PeoplePage
from app.ui.people.onboarding import OnboardingDialog, offer_onboarding
from app.ui.qt import QApplication, QDialog, Qt, QTimer
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS, VILLAGE
from tests.fakes.prompts import FakePrompts

CITRA_PASS = "sandi citra lestari"
BUDI_PASS = "sandi operator budi"


pytestmark = pytest.mark.usefixtures("_own_settings")


@pytest.fixture
def people(created_office, fast_kdf) -> dict[str, str]:
    """Citra and Budi are enrolled and have each signed in once already (so it is not their first time)."""
    folder, created = created_office
    lurah = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        ids = {
            name: operators.enrol_operator(lurah, name=name, role="operator", passphrase=passphrase,
                                           confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id
            for name, passphrase in (("Citra", CITRA_PASS), ("Budi", BUDI_PASS))
        }
    finally:
        lurah.close()
    for name, passphrase in (("Citra", CITRA_PASS), ("Budi", BUDI_PASS)):
        open_office(folder, ids[name], passphrase).close()
    return ids


@pytest.fixture
def record_id(office, people) -> str:
    """Ani hands a proposal, with a note, over to Citra: the record waits for Citra and for the Lurah."""
    draft = proposals.add_proposal(office, proposal_io.proposal_from_dict(
        factories.household_with(["3575034708850003"])))
    key = f"proposal:{draft.id}"
    _report, rid = handover_report.hand_over_and_record(
        office, from_operator=office.operator_id, assignments={key: people["Citra"]},
        notes={key: "Foto rumah belum ada"})
    return rid


def sign_in(folder, operator_id, passphrase) -> AppState:
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(open_office(folder, operator_id, passphrase))
    return state


def sign_out(state: AppState) -> None:
    ctx, state.ctx = state.ctx, None
    ctx.close()


def offered(state: AppState, **kwargs) -> list[OnboardingDialog]:
    shown: list[OnboardingDialog] = []
    offer_onboarding(state, None, on_shown=shown.append, **kwargs)
    return shown


def click(qtbot, button):
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# --- the successor's acknowledgement ------------------------------------------------------------


def test_the_successor_sees_the_handover_at_sign_in_and_acknowledges_it(qtbot, created_office, people, record_id,
                                                                       tmp_path):
    folder = created_office[0]
    state = sign_in(folder, people["Citra"], CITRA_PASS)
    try:
        [dialog] = offered(state)  # not her first sign-in: the waiting handover alone opens the page
        dialog.open_files = False
        assert dialog.isVisible() and dialog.heading.text() == "Panduan saya"
        assert dialog.handovers.isVisible()
        assert dialog.handovers.title() == "Serah terima yang perlu Anda konfirmasi (1)"
        [notice] = dialog.waiting_handovers()
        view = handover_report.verify_record(state.ctx, record_id)
        text = notice.text.text()
        assert "Ani Operator" in text and "1 pekerjaan diserahkan, 1 di antaranya kepada Anda" in text
        assert view.short_hash in text and len(view.short_hash.replace(" ", "")) < len(view.report_hash)
        assert notice.ack_button.text() == "Saya sudah menerima serah terima ini"

        # The report, as the wizard saves it: asked where, written, its fingerprint checked first.
        dialog.prompts = FakePrompts(save_to=tmp_path / "ba.pdf")
        click(qtbot, notice.pdf_button)
        [(kind, suggested)] = dialog.prompts.asked
        assert kind == "save" and suggested.endswith(".pdf") and "serah-terima-ani-operator" in suggested
        assert (tmp_path / "ba.pdf").read_bytes().startswith(b"%PDF")
        assert "Tersimpan" in notice.status.text()

        click(qtbot, notice.ack_button)
        assert notice.confirmed and not notice.ack_button.isVisible()
        assert "mengonfirmasi" in notice.status.text(), notice.status.text()
        assert dialog.handovers.title().endswith("(0)") and dialog.waiting_handovers() == []
        acknowledged = handover_report.verify_record(state.ctx, record_id)
        assert acknowledged.acknowledged_at is not None and acknowledged.acknowledged_by == people["Citra"]
        assert handover_report.awaiting_acknowledgement(state.ctx) == []
        dialog.close()
    finally:
        sign_out(state)

    again = sign_in(folder, people["Citra"], CITRA_PASS)
    try:
        assert offered(again) == []  # acknowledged: the start page no longer opens by itself
        page = PeoplePage(again)
        qtbot.addWidget(page)
        dialog = page.show_start_page()
        assert dialog.notices == [] and not dialog.handovers.isVisibleTo(dialog)
        dialog.close()
    finally:
        sign_out(again)


def test_someone_else_does_not_see_the_handover(qtbot, created_office, people, record_id):
    state = sign_in(created_office[0], people["Budi"], BUDI_PASS)
    try:
        assert offered(state) == []
        page = PeoplePage(state)
        qtbot.addWidget(page)
        dialog = page.show_start_page()
        assert dialog.notices == [] and not dialog.handovers.isVisibleTo(dialog)
        dialog.close()
        assert handover_report.verify_record(state.ctx, record_id).acknowledged_at is None
    finally:
        sign_out(state)


def test_an_acknowledgement_that_fails_is_said_in_place(qtbot, created_office, people, record_id, monkeypatch):
    from app.ui.people import onboarding as onboarding_module

    def refuse(ctx, rid):
        raise handover_report.NotTheSuccessor()

    state = sign_in(created_office[0], people["Citra"], CITRA_PASS)
    try:
        [dialog] = offered(state)
        [notice] = dialog.waiting_handovers()
        monkeypatch.setattr(onboarding_module, "acknowledge", refuse)
        click(qtbot, notice.ack_button)
        assert not notice.confirmed and notice.ack_button.isEnabled()
        assert notice.status.text() == handover_report.NotTheSuccessor().message()
        assert handover_report.awaiting_acknowledgement(state.ctx) != []
        dialog.close()
    finally:
        sign_out(state)


# --- the first run of a brand-new office ------------------------------------------------------


def test_the_first_run_skips_the_start_page(qtbot, created_office, fast_kdf):
    folder, created = created_office
    lurah = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        dina = operators.enrol_operator(lurah, name="Dina", role="operator", passphrase=CITRA_PASS,
                                        confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id
    finally:
        lurah.close()
    # Dina's very first session opens the start page, except when the office was created just now.
    state = sign_in(folder, dina, CITRA_PASS)
    try:
        assert offered(state, first_run=True) == []
        [dialog] = offered(state)
        assert dialog.heading.text() == "Selamat datang, Dina"
        dialog.close()
    finally:
        sign_out(state)


def test_run_gui_does_not_open_the_start_page_after_the_first_run_wizard(qapp, tmp_path, fast_kdf, monkeypatch):
    from app.ui import main as ui_main
    from app.ui.people import onboarding as onboarding_module

    folder = tmp_path / "brand-new"
    calls, seen = [], []
    real_offer = onboarding_module.offer_onboarding

    class FakeOfficeWizard:
        """Creates the office as the first-run wizard does and opens it as its first operator."""

        def __init__(self, state):
            self.state = state
            created = create_office(folder, name="Kelurahan Bugul Kidul", village_code=VILLAGE,
                                    lurah_name="Bapak Lurah", lurah_passphrase=LURAH_PASS,
                                    operator_name="Ani Operator", operator_passphrase=OPERATOR_PASS, kdf=fast_kdf)
            self.ctx = open_office(folder, created.operator_id, OPERATOR_PASS)

        def exec(self):
            def look():
                seen.extend(w for w in QApplication.topLevelWidgets()
                            if isinstance(w, OnboardingDialog) and w.isVisible())
                self.state.sign_out()  # ends the session: run_gui asks for a sign-in

            QTimer.singleShot(400, look)
            return QDialog.DialogCode.Accepted

    class NobodySignsIn:
        def __init__(self, state):
            self.ctx = None

        def exec(self):
            return QDialog.DialogCode.Rejected

    def spy(state, parent=None, on_shown=None, **kwargs):
        calls.append(kwargs.get("first_run", False))
        return real_offer(state, parent, on_shown, **kwargs)

    monkeypatch.setattr("app.ui.wizard.OfficeWizard", FakeOfficeWizard)
    monkeypatch.setattr("app.ui.signin.SignInDialog", NobodySignsIn)
    monkeypatch.setattr(onboarding_module, "offer_onboarding", spy)
    monkeypatch.setattr(ui_main, "settle_garbage_collector", lambda: None)
    assert ui_main.run_gui(folder) == 0
    assert calls == [True] and seen == []


# --- the Lurah's countersignature, later --------------------------------------------------------


@pytest.fixture
def lurah_state(qapp, created_office):
    folder, created = created_office
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(open_office(folder, created.lurah_id, LURAH_PASS))
    yield state
    if state.ctx is not None:
        sign_out(state)


def test_the_lurah_countersigns_later_with_her_passphrase(qtbot, lurah_state, record_id, tmp_path):
    ctx = lurah_state.ctx
    page = PeoplePage(lurah_state)
    qtbot.addWidget(page)
    page.show()
    page.open_files = False
    page.prompts = FakePrompts(True, save_to=tmp_path / "ba-sah.pdf")
    assert page.pending_box.isVisible()
    assert page.pending_title.text() == "Berita acara serah terima menunggu pengesahan (1)"
    view = handover_report.verify_record(ctx, record_id)
    line = page.pending_list.item(0).text()
    assert "Ani Operator" in line and "Citra" in line and view.short_hash in line
    assert page.countersign_button.text() == "Sahkan…"

    click(qtbot, page.countersign_button)
    dialog = page.dialog
    assert isinstance(dialog, CountersignDialog) and dialog.isVisible()
    assert dialog.countersign_button.text() == "Sahkan sekarang"
    assert view.short_hash in dialog.summary.text() and "Ani Operator" in dialog.summary.text()

    # Signed in as the Lurah is not enough: nothing typed, then a wrong passphrase, are both refused.
    click(qtbot, dialog.countersign_button)
    assert "Ketik dulu kata sandi Lurah" in dialog.message.text()
    qtbot.keyClicks(dialog.passphrase, "bukan sandi lurah")
    click(qtbot, dialog.countersign_button)
    assert "salah" in dialog.message.text().lower(), dialog.message.text()
    assert dialog.isVisible() and dialog.passphrase.text() == "bukan sandi lurah"
    assert not handover_report.verify_record(ctx, record_id).lurah_signed
    assert [v.id for v in handover_report.awaiting_countersignature(ctx)] == [record_id]
    assert page.pending_box.isVisible() and page.prompts.asked == []

    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, LURAH_PASS)
    click(qtbot, dialog.countersign_button)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible(), dialog.message.text()
    signed = handover_report.verify_record(ctx, record_id)
    assert signed.lurah_signed and signed.lurah_signed_at is not None
    assert handover_report.awaiting_countersignature(ctx) == []
    assert not page.pending_box.isVisible()  # the list updated: nothing left to countersign
    # Offered, accepted, saved: the countersigned PDF.
    assert [kind for kind, _text in page.prompts.asked] == ["confirm", "save"]
    assert (tmp_path / "ba-sah.pdf").read_bytes().startswith(b"%PDF")
    assert "disahkan" in page.message.text()


def test_only_the_lurah_sees_the_reports_awaiting_countersignature(qtbot, app_state, record_id):
    page = PeoplePage(app_state)
    qtbot.addWidget(page)
    page.show()
    assert handover_report.awaiting_countersignature(app_state.ctx) != []
    assert not page.pending_box.isVisible() and page.countersign() is None
