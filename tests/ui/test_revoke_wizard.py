"""Revocation through the wizard: the person's passphrase opens nothing any more, their work is in the pool."""

from __future__ import annotations

import pytest

from app.domain.complaint import ComplaintCategory
from app.services import complaints, handover, proposal_io, proposals
from app.services.office import open_office
from app.storage.vault import DatabaseInUse, UnknownOperator, WrongPassphrase
from app.ui import settings_store
from app.ui.people.revoke_wizard import RevokeWizard
from app.ui.qt import Qt, QWizard
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS

NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
FINISH = QWizard.WizardButton.FinishButton


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def ani_work(created_office) -> list[str]:
    """Ani (the first operator) holds a draft proposal and a complaint, then signs out."""
    folder, created = created_office
    ani = open_office(folder, created.operator_id, OPERATOR_PASS)
    try:
        draft = proposals.add_proposal(ani, proposal_io.proposal_from_dict(
            factories.household_with(["3575034708850001"])))
        complaint = complaints.register_complaint(ani, category=next(iter(ComplaintCategory)).value,
                                                  reporter_name="Warga", description="Bantuan belum cair")
        complaints.assign_complaint(ani, complaint.id, ani.operator_id)
        return sorted(item.key for item in handover.open_work(ani, ani.operator_id))
    finally:
        ani.close()


@pytest.fixture
def lurah_state(qapp, created_office):
    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    state = AppState(folder, runner=InlineRunner())
    state.sign_in(ctx)
    yield state
    state.ctx = None
    ctx.close()


def click(qtbot, wizard, which):
    button = wizard.button(which)
    assert button.isEnabled(), f"{which} is disabled on {type(wizard.currentPage()).__name__}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_wizard(qtbot, state, **kwargs) -> RevokeWizard:
    wizard = RevokeWizard(state, **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_revocation_through_the_wizard(qtbot, lurah_state, created_office, ani_work):
    folder, created = created_office
    assert len(ani_work) == 2
    wizard = open_wizard(qtbot, lurah_state)
    choose = wizard.choose_page
    # Only Ani is listed: the Lurah cannot revoke themselves here.
    assert choose.people.count() == 1 and "Ani Operator" in choose.people.item(0).text()
    assert "2 pekerjaan terbuka" in choose.people.item(0).text()
    choose.people.setCurrentRow(0)
    assert not wizard.button(NEXT).isEnabled()  # the reason is required
    qtbot.keyClicks(choose.reason, "Kontrak selesai")
    click(qtbot, wizard, NEXT)

    confirm = wizard.confirm_page
    text = confirm.consequences.text()
    assert "kelompok bersama kantor" in text and "Kunci basis data diganti" in text
    assert "belum memiliki sertifikat" in text  # this office is not linked to Dinsos
    assert not wizard.button(COMMIT).isEnabled()
    qtbot.keyClicks(confirm.confirm, "Ani")
    assert not wizard.button(COMMIT).isEnabled()
    qtbot.keyClicks(confirm.confirm, " operator")  # case does not matter, the whole name does
    assert not wizard.button(COMMIT).isEnabled()  # and the Lurah confirms on the spot
    qtbot.keyClicks(confirm.passphrase, LURAH_PASS)
    with qtbot.waitSignal(lurah_state.changed, check_params_cb=lambda what: what == "people"):
        click(qtbot, wizard, COMMIT)

    result = wizard.result_page
    assert wizard.currentPage() is result and wizard.result is not None
    assert "tidak dapat lagi membuka" in result.status.text()
    assert "2 pekerjaan terbuka" in result.status.text()
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    click(qtbot, wizard, FINISH)

    with pytest.raises((WrongPassphrase, UnknownOperator)):
        open_office(folder, created.operator_id, OPERATOR_PASS)
    pool = sorted(item.key for item in handover.open_work(lurah_state.ctx, None))
    assert pool == ani_work
    # The Lurah's session carries on under the new key.
    assert handover.open_work(lurah_state.ctx, created.operator_id) == []


def test_a_stopped_revocation_explains_and_can_be_retried(qtbot, lurah_state, created_office, ani_work,
                                                          monkeypatch):
    folder, created = created_office
    ani_again = open_office(folder, created.operator_id, OPERATOR_PASS)  # Ani is still signed in elsewhere
    wizard = open_wizard(qtbot, lurah_state, operator_id=created.operator_id)
    assert wizard.choose_page.chosen_id() == created.operator_id  # preselected
    qtbot.keyClicks(wizard.choose_page.reason, "Pindah tugas")
    click(qtbot, wizard, NEXT)
    qtbot.keyClicks(wizard.confirm_page.confirm, "Ani Operator")
    qtbot.keyClicks(wizard.confirm_page.passphrase, LURAH_PASS)
    try:
        click(qtbot, wizard, COMMIT)
        page = wizard.result_page
        assert wizard.result is None and page.retry.isVisible()
        assert page.message.text() == DatabaseInUse().message()
        assert not wizard.button(FINISH).isEnabled()
    finally:
        ani_again.close()
    qtbot.mouseClick(page.retry, Qt.MouseButton.LeftButton)
    assert wizard.result is not None and not page.retry.isVisible()
    with pytest.raises((WrongPassphrase, UnknownOperator)):
        open_office(folder, created.operator_id, OPERATOR_PASS)


def test_the_typed_name_must_match_and_cancel_changes_nothing(qtbot, lurah_state, created_office):
    folder, created = created_office
    wizard = open_wizard(qtbot, lurah_state, operator_id=created.operator_id)
    qtbot.keyClicks(wizard.choose_page.reason, "Kontrak selesai")
    click(qtbot, wizard, NEXT)
    qtbot.keyClicks(wizard.confirm_page.confirm, "Budi")
    qtbot.keyClicks(wizard.confirm_page.passphrase, LURAH_PASS)
    assert not wizard.button(COMMIT).isEnabled()
    wizard.reject()
    open_office(folder, created.operator_id, OPERATOR_PASS).close()


def test_a_wrong_lurah_passphrase_changes_nothing_and_is_typed_again_in_place(qtbot, lurah_state, created_office,
                                                                             ani_work):
    folder, created = created_office
    wizard = open_wizard(qtbot, lurah_state, operator_id=created.operator_id)
    qtbot.keyClicks(wizard.choose_page.reason, "Kontrak selesai")
    click(qtbot, wizard, NEXT)
    qtbot.keyClicks(wizard.confirm_page.confirm, "Ani Operator")
    qtbot.keyClicks(wizard.confirm_page.passphrase, "bukan sandi lurah")
    click(qtbot, wizard, COMMIT)

    page = wizard.result_page
    assert wizard.result is None and page.message.text() == WrongPassphrase().message()
    assert page.passphrase.isVisible() and page.retry.isVisible()
    open_office(folder, created.operator_id, OPERATOR_PASS).close()  # Ani still opens the office
    assert sorted(item.key for item in handover.open_work(lurah_state.ctx, created.operator_id)) == ani_work

    qtbot.keyClicks(page.passphrase, LURAH_PASS)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert wizard.result is not None and not page.passphrase.isVisible()
    with pytest.raises((WrongPassphrase, UnknownOperator)):
        open_office(folder, created.operator_id, OPERATOR_PASS)


def test_with_the_authenticator_app_the_wizard_needs_a_fresh_code(qtbot, lurah_state, created_office, ani_work):
    from datetime import timedelta

    from app.services import totp

    folder, created = created_office
    ctx = lurah_state.ctx
    moment = [ctx.clock().replace(microsecond=0)]
    ctx.clock = lambda: moment[0]
    pending = totp.start_enrolment(ctx)
    totp.confirm_enrolment(ctx, pending, totp.code_at(pending.secret, moment[0]))  # uses this step's code
    wizard = open_wizard(qtbot, lurah_state, operator_id=created.operator_id)
    qtbot.keyClicks(wizard.choose_page.reason, "Kontrak selesai")
    click(qtbot, wizard, NEXT)
    confirm = wizard.confirm_page
    qtbot.keyClicks(confirm.confirm, "Ani Operator")
    qtbot.keyClicks(confirm.passphrase, LURAH_PASS)
    assert confirm.code.isVisibleTo(wizard)
    assert not wizard.button(COMMIT).isEnabled()  # the passphrase alone does not revoke
    qtbot.keyClicks(confirm.code, totp.code_at(pending.secret, moment[0]))  # the code already used
    click(qtbot, wizard, COMMIT)
    page = wizard.result_page
    assert wizard.result is None and "sudah pernah dipakai" in page.message.text()
    open_office(folder, created.operator_id, OPERATOR_PASS).close()  # nothing was revoked
    moment[0] += timedelta(seconds=30)
    assert page.retry_fields.isVisible()
    qtbot.keyClicks(page.passphrase, LURAH_PASS)
    qtbot.keyClicks(page.code, totp.code_at(pending.secret, moment[0]))
    qtbot.mouseClick(page.retry, Qt.MouseButton.LeftButton)
    assert wizard.result is not None, page.message.text()
    with pytest.raises((WrongPassphrase, UnknownOperator)):
        open_office(folder, created.operator_id, OPERATOR_PASS)
