"""Settings: passphrase change (and its Indonesian errors), server address, backup folder, language."""

from __future__ import annotations

import pytest

from app.services import office as office_service
from app.services.office import open_office
from app.storage.vault import WrongPassphrase
from app.ui import settings_store
from app.ui.pages.settings import SettingsPage
from app.ui.qt import QFileDialog, Qt
from tests.conftest import OPERATOR_PASS


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def page(qtbot, app_state, fast_kdf, monkeypatch):
    app_state.ctx.kdf = fast_kdf  # the cost a passphrase set here is sealed with
    monkeypatch.setattr(office_service, "_calibrated", lambda: pytest.fail("calibrated: the kdf did not arrive"))
    page = SettingsPage(app_state)
    qtbot.addWidget(page)
    page.show()
    return page


def fill(qtbot, page, old, new, again=None):
    for field in (page.old_passphrase, page.new_passphrase, page.new_again):
        field.clear()
    qtbot.keyClicks(page.old_passphrase, old)
    qtbot.keyClicks(page.new_passphrase, new)
    qtbot.keyClicks(page.new_again, new if again is None else again)
    qtbot.mouseClick(page.change_button, Qt.MouseButton.LeftButton)


def test_changing_the_passphrase_works(qtbot, page, app_state):
    fill(qtbot, page, OPERATOR_PASS, "kata sandi baru yang panjang")
    assert "sudah diganti" in page.passphrase_message.text()
    assert page.old_passphrase.text() == ""
    ctx = app_state.ctx
    reopened = open_office(ctx.folder, ctx.operator_id, "kata sandi baru yang panjang")
    reopened.close()
    with pytest.raises(WrongPassphrase):
        open_office(ctx.folder, ctx.operator_id, OPERATOR_PASS)


def test_a_weak_passphrase_is_refused_in_indonesian(qtbot, page, app_state):
    fill(qtbot, page, OPERATOR_PASS, "pendek")
    assert page.passphrase_message.isVisible()
    assert page.passphrase_message.text().startswith("Kata sandi harus terdiri dari sedikitnya 8 karakter.")
    assert page.change_button.isEnabled()
    # Nothing changed: the old passphrase still opens.
    open_office(app_state.ctx.folder, app_state.ctx.operator_id, OPERATOR_PASS).close()


def test_a_wrong_current_passphrase_and_a_mismatch_are_shown_inline(qtbot, page):
    fill(qtbot, page, "bukan yang sekarang", "kata sandi baru yang panjang")
    assert page.passphrase_message.text().startswith("Kata sandi salah.")
    fill(qtbot, page, OPERATOR_PASS, "kata sandi baru yang panjang", again="kata sandi lain")
    assert "tidak sama" in page.passphrase_message.text()


def test_server_address_is_validated_and_kept_in_the_office(qtbot, page, app_state):
    from app.services import office, sync_run

    page.server_url.setText("dinsos kota")
    page.save_server()
    assert "https://" in page.server_message.text()
    assert office.server_url(app_state.ctx) is None

    page.server_url.setText("https://dinsos.pasuruankota.example.id/")
    with qtbot.waitSignal(app_state.changed) as blocker:
        qtbot.mouseClick(page.server_save, Qt.MouseButton.LeftButton)
    assert blocker.args == ["office"]
    # The sender and the dashboard read the same address: the office's, not this PC's settings.
    assert sync_run.sync_state(app_state.ctx).server_url == "https://dinsos.pasuruankota.example.id"
    assert page.server_url.text() == "https://dinsos.pasuruankota.example.id"


def test_backup_folder_and_language_are_stored(qtbot, page, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    page.choose_backup_folder()
    assert settings_store.Settings().get(settings_store.BACKUP_FOLDER) == str(tmp_path)
    assert page.backup_folder.text() == str(tmp_path)

    assert page.language.currentData() == "id"
    page.language.setCurrentIndex(page.language.findData("en"))
    assert settings_store.Settings().language() == "en"
    assert "langsung" in page.language_note.text()  # says it applies at once


def test_photo_settings_are_shown_and_saved_in_the_office(qtbot, page, app_state):
    from app.services.documents_out import photo_settings

    box = page.photo_box
    qtbot.waitUntil(lambda: box.long_side.value() == 1600)
    assert box.quality.value() == 80
    box.long_side.setValue(1200)
    box.quality.setValue(70)
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.message.isVisible())
    assert box.message.text().startswith("Tersimpan.")
    stored = photo_settings(app_state.ctx)
    assert (stored.long_side, stored.quality) == (1200, 70)
