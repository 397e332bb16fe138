"""The People page: read-only for operators; for the Lurah, certificates in sight, departure, renewal and TOTP."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from app.services import handover, keys as office_keys, operators, proposal_io, proposals, totp
from app.ui.main_window import PAGES
from app.ui.pages import people as people_page
from app.ui.pages.people import POOL, PeoplePage
from app.ui.people.enrol_wizard import EnrolWizard
from app.ui.people.revoke_wizard import RevokeWizard
from app.ui.people.totp_dialog import TotpEnrolDialog, TotpRemoveDialog
from app.ui.qt import QColor, QLabel, Qt
from app.ui.style import DANGER, WARNING
from tests import factories
from tests.conftest import LURAH_PASS
from tests.fakes.prompts import FakePrompts
from tests.fakes.sync_world import FakeDinsos, link_office

B_PASS = "sandi operator budi"


pytestmark = pytest.mark.usefixtures("_own_settings")


def make_page(qtbot, state) -> PeoplePage:
    page = PeoplePage(state)
    qtbot.addWidget(page)
    page.show()
    return page


def row_of(page, name) -> int:
    return next(i for i, p in enumerate(page.people) if p.name == name)


def test_the_page_is_registered():
    spec = next(spec for spec in PAGES if spec.key == "people")
    assert spec.load() is PeoplePage
    assert PeoplePage.title == "People"


def test_operators_see_the_list_read_only(qtbot, app_state):
    page = make_page(qtbot, app_state)
    assert page.table.rowCount() == 2
    names = [page.table.item(r, 0).text() for r in range(2)]
    assert "Ani Operator (Anda)" in names and "Bapak Lurah" in names
    assert page.table.item(row_of(page, "Bapak Lurah"), 1).text() == "Lurah"
    assert page.table.item(row_of(page, "Ani Operator"), 2).text() == "Aktif"
    assert page.table.item(row_of(page, "Ani Operator"), 3).text() == "belum bersertifikat"
    assert page.table.item(row_of(page, "Bapak Lurah"), 3).text() == "kunci otoritas kelurahan"
    assert "Hanya Lurah" in page.role_line.text()
    for button in page.lurah_buttons:
        assert not button.isVisible()
    assert not page.totp_box.isVisible()
    assert page.start_page_button.isVisible() and page.handover_button.isVisible()


def test_the_lurah_gets_the_actions_and_the_wizards(qtbot, lurah_state, fast_kdf, created_office):
    page = make_page(qtbot, lurah_state)
    assert all(button.isVisible() for button in page.lurah_buttons) and page.totp_box.isVisible()
    assert "Sebagai Lurah" in page.role_line.text()
    page.table.selectRow(row_of(page, "Bapak Lurah"))
    assert not page.revoke_button.isEnabled() and not page.departure_button.isEnabled()
    page.table.selectRow(row_of(page, "Ani Operator"))
    assert page.revoke_button.isEnabled() and page.departure_button.isEnabled()

    lurah_state.ctx.kdf = fast_kdf
    wizard = page.enrol()
    assert isinstance(wizard, EnrolWizard)
    wizard.reject()
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    assert isinstance(page.dialog, RevokeWizard)
    assert page.dialog.choose_page.chosen_id() == created_office[1].operator_id
    page.dialog.reject()


def test_certificates_expiring_or_expired_stand_out_and_renew(qtbot, lurah_state, office, created_office):
    lurah = lurah_state.ctx
    dinsos = FakeDinsos()
    link_office(lurah, office, dinsos, dinsos.document())  # certifies Ani for a year
    now = lurah.clock()
    lurah.clock = lambda: now + timedelta(days=350)
    page = make_page(qtbot, lurah_state)
    row = row_of(page, "Ani Operator")
    assert page.table.item(row, 3).text().startswith("berakhir ")
    assert page.table.item(row, 0).foreground().color() == QColor(WARNING)
    assert page.warning.isVisible() and "Ani Operator" in page.warning.text() and "30 hari" in page.warning.text()

    lurah.clock = lambda: now + timedelta(days=400)
    page.refresh()
    assert page.table.item(row, 3).text().startswith("kedaluwarsa ")
    assert page.table.item(row, 0).foreground().color() == QColor(DANGER)
    assert "Dinsos menolak" in page.warning.text()

    page.table.selectRow(row)
    qtbot.mouseClick(page.renew_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert "365 hari" in dialog.findChildren(QLabel)[0].text()
    qtbot.keyClicks(dialog.fields.passphrase, "bukan sandi lurah")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # renewal is an authority step: refused
    assert dialog.isVisible() and "Kata sandi salah" in dialog.message.text()
    assert page.table.item(row, 3).text().startswith("kedaluwarsa ")
    dialog.fields.passphrase.clear()
    qtbot.keyClicks(dialog.fields.passphrase, LURAH_PASS)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "berlaku sampai" in page.message.text()
    assert page.table.item(row, 3).text().startswith("berlaku s.d. ")
    assert not page.warning.isVisible()


def test_renewal_before_linking_is_explained(qtbot, lurah_state):
    page = make_page(qtbot, lurah_state)
    page.table.selectRow(row_of(page, "Ani Operator"))
    page.renew()
    qtbot.keyClicks(page.dialog.fields.passphrase, LURAH_PASS)
    qtbot.mouseClick(page.dialog.ok, Qt.MouseButton.LeftButton)
    assert page.dialog.message.text() == office_keys.NotProvisioned().message()


def test_sudden_departure_moves_everything_then_offers_revocation(qtbot, lurah_state, office, fast_kdf):
    proposal = proposals.add_proposal(office, proposal_io.proposal_from_dict(
        factories.household_with(["3575034708850002"])))
    budi = operators.enrol_operator(lurah_state.ctx, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah_state.ctx, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id
    page = make_page(qtbot, lurah_state)
    page.table.selectRow(row_of(page, "Ani Operator"))
    assert page.table.item(row_of(page, "Ani Operator"), 4).text() == "1"

    # Cancelled at the question of who takes the work: nothing moves.
    page.prompts = FakePrompts(None)
    page.departure()
    assert [i.id for i in handover.open_work(office, office.operator_id)] == [proposal.id]

    page.prompts = FakePrompts(budi, True, False)  # to Budi, yes move, no revocation yet
    with qtbot.waitSignal(lurah_state.changed, check_params_cb=lambda what: what == "proposals"):
        qtbot.mouseClick(page.departure_button, Qt.MouseButton.LeftButton)
    assert POOL in dict(page.prompts.choices) and budi in dict(page.prompts.choices)
    assert handover.open_work(office, office.operator_id) == []
    assert [i.id for i in handover.open_work(office, budi)] == [proposal.id]
    assert "Budi" in page.message.text()
    assert page.table.item(row_of(page, "Budi"), 4).text() == "1"
    assert not isinstance(page.dialog, RevokeWizard)

    # Into the pool this time, and yes to the revocation: the wizard opens on that person.
    page.table.selectRow(row_of(page, "Budi"))
    page.prompts = FakePrompts(POOL, True, True)
    page.departure()
    assert [i.id for i in handover.open_work(office, None)] == [proposal.id]
    assert isinstance(page.dialog, RevokeWizard) and page.dialog.choose_page.chosen_id() == budi
    page.dialog.reject()


def test_totp_enrol_and_remove_from_the_page(qtbot, lurah_state):
    ctx = lurah_state.ctx
    page = make_page(qtbot, lurah_state)
    assert "Pasang aplikasi autentikator" in page.totp_button.text()
    dialog = page.toggle_totp()
    assert isinstance(dialog, TotpEnrolDialog)
    assert not dialog.qr.pixmap().isNull() and dialog.qr.pixmap().width() >= 100
    secret = dialog.pending.secret
    assert dialog.secret_text.text().replace(" ", "") in dialog.pending.uri

    good = totp.code_at(secret, ctx.clock())
    qtbot.keyClicks(dialog.code, good)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)  # a session left open is not enough
    assert "kata sandi" in dialog.message.text().lower() and not totp.is_enrolled(ctx)
    qtbot.keyClicks(dialog.passphrase, "bukan sandi lurah")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert "Kata sandi salah" in dialog.message.text() and not totp.is_enrolled(ctx)
    qtbot.keyClicks(dialog.passphrase, LURAH_PASS)
    dialog.code.clear()
    qtbot.keyClicks(dialog.code, f"{(int(good) + 1) % 1_000_000:06d}")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert "tidak benar" in dialog.message.text() and not totp.is_enrolled(ctx)
    qtbot.keyClicks(dialog.code, totp.code_at(secret, ctx.clock()))
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.enrolled and totp.is_enrolled(ctx)
    assert "Hapus aplikasi autentikator" in page.totp_button.text()

    dialog = page.toggle_totp()
    assert isinstance(dialog, TotpRemoveDialog)
    qtbot.keyClicks(dialog.passphrase, "bukan sandi lurah")
    qtbot.keyClicks(dialog.code, totp.code_at(secret, ctx.clock()))
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("Kata sandi salah") and totp.is_enrolled(ctx)
    qtbot.keyClicks(dialog.passphrase, LURAH_PASS)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)  # no code: refused before anything
    assert totp.is_enrolled(ctx)
    later = ctx.clock() + timedelta(seconds=30)
    ctx.clock = lambda: later
    qtbot.keyClicks(dialog.code, totp.code_at(secret, later))
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.removed and not totp.is_enrolled(ctx)
    assert "Pasang aplikasi autentikator" in page.totp_button.text()


def test_the_handover_slot_opens_the_wizard_or_says_it_is_missing(qtbot, lurah_state, monkeypatch):
    page = make_page(qtbot, lurah_state)
    page.prompts = FakePrompts()
    real_import = importlib.import_module

    def missing(name, *args):
        if name == people_page.HANDOVER_MODULE:
            raise ModuleNotFoundError(name=name)
        return real_import(name, *args)

    monkeypatch.setattr(people_page.importlib, "import_module", missing)
    assert page.hand_over() is None
    assert page.prompts.asked and page.prompts.asked[0][0] == "info"
    monkeypatch.undo()

    try:
        real_import(people_page.HANDOVER_MODULE)
    except ModuleNotFoundError:
        pytest.skip("the handover wizard is not in this tree yet")
    page.table.selectRow(row_of(page, "Ani Operator"))
    wizard = page.hand_over()
    assert type(wizard).__name__ == "HandoverWizard"
    wizard.reject()


def test_a_lost_phone_is_removed_with_the_recovery_code(qtbot, lurah_state, created_office):
    ctx = lurah_state.ctx
    pending = totp.start_enrolment(ctx)
    totp.confirm_enrolment(ctx, pending, totp.code_at(pending.secret, ctx.clock()))
    page = make_page(qtbot, lurah_state)
    dialog = page.toggle_totp()
    assert dialog.code.isVisibleTo(dialog) and not dialog.recovery.isVisibleTo(dialog)
    dialog.lost.setChecked(True)  # no phone, so no code: the printed sheet instead
    assert not dialog.code.isVisibleTo(dialog) and dialog.recovery.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.passphrase, LURAH_PASS)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "kode pemulihan" in dialog.message.text() and totp.is_enrolled(ctx)
    qtbot.keyClicks(dialog.recovery, "0000-0000-0000-0000-0000-0000-0000")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert totp.is_enrolled(ctx) and not dialog.removed
    dialog.recovery.clear()
    qtbot.keyClicks(dialog.passphrase, LURAH_PASS)
    qtbot.keyClicks(dialog.recovery, created_office[1].recovery_code)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.removed and not totp.is_enrolled(ctx)
