"""The first-run wizard, driven page by page as an operator would, creates an office that opens."""

from __future__ import annotations

import pytest

from app.services import office as office_service
from app.services.office import open_office
from app.ui import settings_store
from app.ui.qt import QFileDialog, Qt, QWizard
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from app.ui.settings_store import valid_server_url
from app.ui.wizard import OfficeWizard
from tests.conftest import LURAH_PASS, OPERATOR_PASS, VILLAGE
from tests.pdftext import says


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def wizard(qtbot, tmp_path, fast_kdf, monkeypatch):
    state = AppState(tmp_path / "office", runner=InlineRunner())
    state.kdf = fast_kdf  # the cost a passphrase set here is sealed with
    monkeypatch.setattr(office_service, "_calibrated", lambda: pytest.fail("calibrated: the kdf did not arrive"))
    wizard = OfficeWizard(state)
    qtbot.addWidget(wizard)
    wizard.show()
    yield wizard
    if wizard.ctx is not None:
        wizard.ctx.close()


def click(qtbot, wizard, which):
    button = wizard.button(which)
    assert button.isEnabled(), f"{which} is disabled on {type(wizard.currentPage()).__name__}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


NEXT = QWizard.WizardButton.NextButton


def fill_person(qtbot, page, name, passphrase):
    qtbot.keyClicks(page.name, name)
    qtbot.keyClicks(page.passphrase, passphrase)
    qtbot.keyClicks(page.again, passphrase)


def test_the_wizard_creates_an_office_that_opens_with_the_chosen_passphrase(qtbot, wizard, tmp_path, monkeypatch):
    assert wizard.currentPage() is wizard.welcome_page
    click(qtbot, wizard, NEXT)

    # (b) the kelurahan: search, pick, the office name follows
    page = wizard.village_page
    assert wizard.currentPage() is page
    assert not wizard.button(NEXT).isEnabled()
    qtbot.keyClicks(page.search, "bugul kidul")
    qtbot.waitUntil(lambda: page.results.count() > 0, timeout=5000)
    assert page.results.item(0).text() == "Kelurahan Bugul Kidul, Kec. Bugul Kidul, Kota Pasuruan"
    page.results.setCurrentRow(0)
    assert page.code == VILLAGE
    assert page.office_name.text() == "Kelurahan Bugul Kidul"
    click(qtbot, wizard, NEXT)

    # (c) the Lurah: a short passphrase is refused with Indonesian feedback
    lurah = wizard.lurah_page
    qtbot.keyClicks(lurah.name, "Bapak Lurah")
    qtbot.keyClicks(lurah.passphrase, "pendek")
    assert "minimal 8 karakter" in lurah.feedback.text()
    assert not wizard.button(NEXT).isEnabled()
    lurah.passphrase.clear()
    qtbot.keyClicks(lurah.passphrase, LURAH_PASS)
    qtbot.keyClicks(lurah.again, LURAH_PASS + "x")
    assert "belum sama" in lurah.feedback.text()
    lurah.again.clear()
    qtbot.keyClicks(lurah.again, LURAH_PASS)
    click(qtbot, wizard, NEXT)

    # (d) the first operator: may not reuse the Lurah's passphrase
    operator = wizard.operator_page
    fill_person(qtbot, operator, "Ani Operator", LURAH_PASS)
    assert not wizard.button(NEXT).isEnabled()
    operator.passphrase.clear()
    operator.again.clear()
    qtbot.keyClicks(operator.passphrase, OPERATOR_PASS)
    qtbot.keyClicks(operator.again, OPERATOR_PASS)
    click(qtbot, wizard, NEXT)

    # (e) the server address: optional, but a wrong one blocks
    server = wizard.server_page
    qtbot.keyClicks(server.url, "dinsos kota")
    assert not wizard.button(NEXT).isEnabled()
    server.url.setText("https://dinsos.pasuruankota.example.id")
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()

    # (f) creating, then (g) the recovery code, shown once
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=10_000)
    created = wizard.created
    assert created is not None
    assert wizard.recovery_page.code.text() == created.recovery_code

    pdf = tmp_path / "kode.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    qtbot.mouseClick(wizard.recovery_page.save_button, Qt.MouseButton.LeftButton)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1024
    assert says(data, created.recovery_code)  # drawn on the page, for the Lurah to keep

    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the operator says the code is kept
    wizard.reject()  # Esc must not lose the code either
    assert wizard.isVisible()
    wizard.recovery_page.confirm.setChecked(True)
    click(qtbot, wizard, QWizard.WizardButton.FinishButton)

    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.ctx is not None and wizard.ctx.operator_id == created.operator_id
    again = open_office(tmp_path / "office", created.operator_id, OPERATOR_PASS)
    assert again.office_name == "Kelurahan Bugul Kidul" and again.village_code == VILLAGE
    from app.services.office import server_url

    assert server_url(again) == "https://dinsos.pasuruankota.example.id"
    again.close()


def test_a_failed_creation_is_explained_and_can_be_retried(qtbot, wizard, tmp_path):
    # An office already there: create_office refuses, the page says so in Indonesian.
    (tmp_path / "office").mkdir()
    (tmp_path / "office" / "vault.json").write_text("{}")
    wizard.village_page.code = VILLAGE
    wizard.village_page.office_name.setText("Kelurahan Bugul Kidul")
    fill_person(qtbot, wizard.lurah_page, "Lurah", LURAH_PASS)
    fill_person(qtbot, wizard.operator_page, "Operator", OPERATOR_PASS)
    while wizard.currentPage() is not wizard.create_page:
        wizard.next()
    assert wizard.created is None
    assert "Sudah ada kantor" in wizard.create_page.status.text()
    assert not wizard.create_page.retry.isHidden()


def test_an_office_that_cannot_be_opened_after_creation_says_why_and_keeps_the_code(qtbot, wizard, tmp_path, monkeypatch):
    # Created, then opening fails (here: the disk filled up between the two): the recovery page
    # says what happened in Indonesian, the code stays on screen and Finish can be tried again.
    from app.errors import UsulkanError
    from app.i18n import N_
    from app.ui.wizard import office_wizard

    class DiskFull(UsulkanError):
        template = N_("The disk is full. Free some space and try again.")

    wizard.village_page.code = VILLAGE
    wizard.village_page.office_name.setText("Kelurahan Bugul Kidul")
    fill_person(qtbot, wizard.lurah_page, "Lurah", LURAH_PASS)
    fill_person(qtbot, wizard.operator_page, "Operator", OPERATOR_PASS)
    while wizard.currentPage() is not wizard.recovery_page:
        wizard.next()
    qtbot.waitUntil(lambda: wizard.created is not None, timeout=10_000)
    real_open = office_wizard.open_office
    monkeypatch.setattr(office_wizard, "open_office", lambda *a: (_ for _ in ()).throw(DiskFull()))
    wizard.recovery_page.confirm.setChecked(True)
    click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert "penuh" in wizard.recovery_page.message.text() or "full" in wizard.recovery_page.message.text()
    assert wizard.isVisible() and wizard.ctx is None
    assert wizard.recovery_page.code.text() == wizard.created.recovery_code
    monkeypatch.setattr(office_wizard, "open_office", real_open)
    click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert wizard.result() == QWizard.DialogCode.Accepted and wizard.ctx is not None


@pytest.mark.parametrize(
    ("text", "ok"),
    [("", True), ("https://dinsos.example.id", True), ("http://127.0.0.1:8765", True),
     # Plain http:// only to this computer: on a network the feed token would travel in clear.
     ("http://10.0.0.5:8080/api", False), ("http://dinsos.example.id", False),
     ("dinsos.example.id", False), ("ftp://x.id", False), ("https://", False)],
)
def test_server_address_validation(text, ok):
    assert valid_server_url(text) is ok
