"""Settings' "Periksa pembaruan": clicked against a loopback tufup repository Dinsos signed, beside its server."""

from __future__ import annotations

import pytest

from app.services.office import set_server_url
from app.ui import settings_store
from app.ui.pages.settings import SettingsPage
from app.ui.qt import Qt
from tests.fakes.update_repo import publish, toy_bundle


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def dinsos(tmp_path, served):
    """Dinsos's web server: its signed update repository at /usulkan-updates, versions 0.1.0 and 0.4.0."""
    repo, _keys = publish(tmp_path, "dinsos", ["0.1.0", "0.4.0"])
    web = tmp_path / "htdocs"  # what the web server shows: the repository only, never the keys beside it
    web.mkdir()
    (web / "usulkan-updates").symlink_to(repo, target_is_directory=True)
    return served(web), repo


@pytest.fixture
def box(qtbot, app_state, fast_kdf, tmp_path):
    app_state.ctx.kdf = fast_kdf
    page = SettingsPage(app_state)
    qtbot.addWidget(page)
    page.show()
    page.update_box.page = page  # the page owns the box: keep it alive with it
    return page.update_box


def _aim(box, tmp_path, repo):
    program = toy_bundle(tmp_path / "Programs" / "Usulkan", "0.1.0")
    box.options = {"install_dir": program, "cache": tmp_path / "cache", "root": repo / "metadata" / "root.json"}
    return program


def test_the_check_uses_the_dinsos_server_address_and_offers_the_signed_version(qtbot, box, app_state, dinsos,
                                                                                 tmp_path):
    url, repo = dinsos
    set_server_url(app_state.ctx, url)
    box.refresh()
    assert f"{url}/usulkan-updates" in box.address.placeholderText() and box.address.text() == ""
    _aim(box, tmp_path, repo)
    assert box.check_button.text() == "Periksa pembaruan"
    qtbot.mouseClick(box.check_button, Qt.MouseButton.LeftButton)
    assert "Versi 0.4.0 tersedia" in box.status.text()
    assert box.found is not None and box.found.version == "0.4.0"
    assert box.install_button.isHidden()  # a copy run from source never replaces itself
    assert "git" in box.status.text()


def test_install_replaces_the_program_folder_with_the_signed_bundle(qtbot, box, app_state, dinsos, tmp_path):
    url, repo = dinsos
    set_server_url(app_state.ctx, url)
    program = _aim(box, tmp_path, repo)
    box.can_install = True  # as in the installed bundle
    qtbot.mouseClick(box.check_button, Qt.MouseButton.LeftButton)
    assert box.install_button.isVisible() and "0.4.0" in box.install_button.text()
    qtbot.mouseClick(box.install_button, Qt.MouseButton.LeftButton)
    assert (program / "VERSION").read_text() == "0.4.0"
    assert sorted(p.name for p in (program / "_internal").iterdir()) == ["lib-0.4.0.so"]
    assert "Versi 0.4.0 sudah terpasang" in box.status.text()
    assert box.install_button.isHidden()
    assert app_state.ctx.folder.is_dir()  # the office's data lives elsewhere and is still there


def test_an_address_set_by_hand_wins_and_a_forged_repository_is_refused(qtbot, box, app_state, dinsos, tmp_path,
                                                                        served):
    url, repo = dinsos
    set_server_url(app_state.ctx, url)
    forged, _keys = publish(tmp_path, "attacker", ["0.1.0", "9.9.9"])
    _aim(box, tmp_path, repo)
    box.address.setText(served(forged))
    box.address.editingFinished.emit()
    assert settings_store.Settings().get(settings_store.UPDATE_URL) == box.address.text()
    qtbot.mouseClick(box.check_button, Qt.MouseButton.LeftButton)
    assert "9.9.9" not in box.status.text() and "pemeriksaan" in box.status.text()
    assert box.found is None and box.install_button.isHidden() and box.check_button.isEnabled()


def test_an_office_without_any_address_is_told_what_to_enter(qtbot, box, app_state, tmp_path, dinsos):
    _url, repo = dinsos
    _aim(box, tmp_path, repo)
    qtbot.mouseClick(box.check_button, Qt.MouseButton.LeftButton)
    assert "alamat pembaruan" in box.status.text().lower()


def test_the_newest_version_is_said_so(qtbot, box, app_state, tmp_path, served):
    repo, _keys = publish(tmp_path, "same", ["0.1.0"])
    _aim(box, tmp_path, repo)
    box.address.setText(served(repo))
    qtbot.mouseClick(box.check_button, Qt.MouseButton.LeftButton)
    assert "versi terbaru" in box.status.text()
