"""The enrolment wizard, driven as the Lurah and the new person would: the person can then open the office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.services import office as office_service
from app.services import totp
from app.services.office import open_office
from app.storage.models import AuditEntry, Operator
from app.ui import settings_store
from app.ui.people.enrol_wizard import EnrolWizard
from app.ui.qt import Qt, QWizard
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests.conftest import LURAH_PASS

NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
FINISH = QWizard.WizardButton.FinishButton
NEW_PASS = "sepeda biru di pasar"


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def lurah_state(qapp, created_office):
    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(ctx)
    yield state
    state.ctx = None
    ctx.close()


@pytest.fixture
def wizard(qtbot, lurah_state, fast_kdf, monkeypatch):
    lurah_state.ctx.kdf = fast_kdf  # the cost a passphrase set here is sealed with
    monkeypatch.setattr(office_service, "_calibrated", lambda: pytest.fail("calibrated: the kdf did not arrive"))
    wizard = EnrolWizard(lurah_state)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def click(qtbot, wizard, which):
    button = wizard.button(which)
    assert button.isEnabled(), f"{which} is disabled on {type(wizard.currentPage()).__name__}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def people(ctx) -> list[str]:
    with ctx.reading() as session:
        return sorted(session.scalars(select(Operator.name)))


def fill_person(qtbot, wizard, name="Citra Lestari", role="field_staff", days=200, passphrase=NEW_PASS):
    details = wizard.details_page
    assert not wizard.button(NEXT).isEnabled()  # a name is needed
    qtbot.keyClicks(details.name, name)
    details.role.setCurrentIndex(details.role.findData(role))
    details.valid_days.setValue(days)
    click(qtbot, wizard, NEXT)
    page = wizard.passphrase_page
    assert wizard.currentPage() is page
    assert name in page.title()
    qtbot.keyClicks(page.passphrase, "pendek")
    assert "minimal 8 karakter" in page.feedback.text()
    assert not wizard.button(NEXT).isEnabled()
    page.passphrase.clear()
    qtbot.keyClicks(page.passphrase, passphrase)
    qtbot.keyClicks(page.again, passphrase + "x")
    assert "belum sama" in page.feedback.text()
    page.again.clear()
    qtbot.keyClicks(page.again, passphrase)
    assert page.feedback.objectName() == "okText"
    click(qtbot, wizard, NEXT)
    assert wizard.currentPage() is wizard.approve_page


def approve(qtbot, wizard, lurah_passphrase=LURAH_PASS, code=None):
    page = wizard.approve_page
    page.lurah_passphrase.clear()
    qtbot.keyClicks(page.lurah_passphrase, lurah_passphrase)
    if code is not None:
        page.code.clear()
        qtbot.keyClicks(page.code, code)
    click(qtbot, wizard, COMMIT)


def test_enrolment_end_to_end_the_person_opens_the_office(qtbot, wizard, lurah_state, created_office):
    fill_person(qtbot, wizard)
    assert not wizard.approve_page.code.isVisible()  # no authenticator app enrolled
    assert "Citra Lestari" in wizard.approve_page.summary.text()
    assert "Petugas lapangan" in wizard.approve_page.summary.text()
    with qtbot.waitSignal(lurah_state.changed) as changed:
        approve(qtbot, wizard)
    assert changed.args == ["people"]
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.done_page)
    assert "dapat masuk" in wizard.done_page.text.text()
    assert wizard.passphrase_page.passphrase.text() == "" and wizard.approve_page.lurah_passphrase.text() == ""
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    click(qtbot, wizard, FINISH)

    ctx = open_office(created_office[0], wizard.enrolment.operator_id, NEW_PASS)
    try:
        assert ctx.operator_name == "Citra Lestari" and ctx.operator_role == "field_staff"
    finally:
        ctx.close()
    with lurah_state.ctx.reading() as session:
        assert "operator.enrol" in session.scalars(select(AuditEntry.action)).all()


def test_a_wrong_lurah_passphrase_creates_nothing_and_can_be_retried(qtbot, wizard, lurah_state):
    before, slots = people(lurah_state.ctx), lurah_state.ctx.vault.operators()
    fill_person(qtbot, wizard)
    approve(qtbot, wizard, lurah_passphrase="bukan sandi lurah")
    page = wizard.approve_page
    assert wizard.currentPage() is page and wizard.enrolment is None
    assert page.message.text().startswith("Kata sandi salah")
    assert page.lurah_passphrase.text() == ""  # cleared for the next try
    assert people(lurah_state.ctx) == before and lurah_state.ctx.vault.operators() == slots

    approve(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.done_page)
    assert "Citra Lestari" in people(lurah_state.ctx)


def test_the_lurah_passphrase_cannot_be_the_new_persons(qtbot, wizard, lurah_state):
    before = people(lurah_state.ctx)
    fill_person(qtbot, wizard, passphrase=LURAH_PASS)
    approve(qtbot, wizard)
    assert "berbeda" in wizard.approve_page.message.text()
    assert wizard.currentPage() is wizard.approve_page and people(lurah_state.ctx) == before


def test_with_totp_the_code_is_required_and_not_reusable(qtbot, lurah_state, fast_kdf):
    ctx = lurah_state.ctx
    moment = [ctx.clock().replace(microsecond=0)]
    ctx.clock = lambda: moment[0]
    pending = totp.start_enrolment(ctx)
    totp.confirm_enrolment(ctx, pending, totp.code_at(pending.secret, moment[0]))
    moment[0] += timedelta(minutes=2)
    before = people(ctx)

    lurah_state.ctx.kdf = fast_kdf  # the cost a passphrase set here is sealed with
    wizard = EnrolWizard(lurah_state)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_person(qtbot, wizard)
    page = wizard.approve_page
    assert page.code.isVisible()
    qtbot.keyClicks(page.lurah_passphrase, LURAH_PASS)
    assert not wizard.button(COMMIT).isEnabled()  # the code is still missing

    good = totp.code_at(pending.secret, moment[0])
    approve(qtbot, wizard, code=f"{(int(good) + 3) % 1_000_000:06d}")
    assert "tidak benar" in page.message.text()
    assert page.code.text() == "" and wizard.enrolment is None and people(ctx) == before

    # The code used for the enrolment of the app itself (an older step) is refused as used.
    moment[0] -= timedelta(minutes=2)
    approve(qtbot, wizard, code=totp.code_at(pending.secret, moment[0]))
    assert "sudah pernah dipakai" in page.message.text()
    assert people(ctx) == before

    moment[0] += timedelta(minutes=2)
    approve(qtbot, wizard, code=good)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.done_page)
    assert "Citra Lestari" in people(ctx)


def test_the_approval_runs_off_the_gui_thread(qtbot, qapp, created_office, fast_kdf):
    from app.ui.tasks import TaskRunner

    folder, created = created_office
    state = AppState(folder, runner=TaskRunner())
    state.sign_in(open_office(folder, created.lurah_id, LURAH_PASS))
    try:
        state.ctx.kdf = fast_kdf  # the cost a passphrase set here is sealed with
        wizard = EnrolWizard(state)
        qtbot.addWidget(wizard)
        wizard.show()
        fill_person(qtbot, wizard, role="operator")
        approve(qtbot, wizard)
        # The click returned before the work was done: the page waits, its fields locked.
        assert wizard.working and wizard.currentPage() is wizard.approve_page
        assert not wizard.approve_page.lurah_passphrase.isEnabled()
        assert not wizard.button(COMMIT).isEnabled()
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.done_page, timeout=10_000)
        assert wizard.approve_page.lurah_passphrase.isEnabled() and not wizard.working
        open_office(folder, wizard.enrolment.operator_id, NEW_PASS).close()
    finally:
        state.runner.wait()
        ctx, state.ctx = state.ctx, None
        ctx.close()


@pytest.mark.parametrize("weak, said", [("password123", "paling umum"), ("Citra Lestari 1", "terlalu mudah ditebak")])
def test_a_common_or_guessable_passphrase_is_refused_while_typing_with_a_suggestion(qtbot, wizard, weak, said):
    details = wizard.details_page
    qtbot.keyClicks(details.name, "Citra Lestari")
    click(qtbot, wizard, NEXT)
    page = wizard.passphrase_page
    qtbot.keyClicks(page.passphrase, weak)
    qtbot.keyClicks(page.again, weak)
    assert said in page.feedback.text() and "misalnya:" in page.feedback.text()
    assert page.feedback.objectName() == "errorText"
    assert not wizard.button(NEXT).isEnabled()
    # Taking the suggestion as it is offered is accepted.
    example = page.feedback.text().split("misalnya: ")[1]
    page.passphrase.clear()
    page.again.clear()
    qtbot.keyClicks(page.passphrase, example)
    qtbot.keyClicks(page.again, example)
    assert page.feedback.objectName() == "okText"
    assert wizard.button(NEXT).isEnabled()
