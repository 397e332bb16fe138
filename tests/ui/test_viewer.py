"""No decrypted copy of a person's document is left on disk; the type comes from the bytes, not the name."""

from __future__ import annotations

import os
import stat

import pytest

from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal
from app.ui import settings_store, viewer
from app.ui.main_window import MainWindow
from app.ui.qt import QDialog, Qt
from tests.factories import proposal_dict
from tests.fakes.editor import PDF, editor_for


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


def open_attachment(qtbot, app_state, tmp_path, filename: str, data: bytes):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    editor = editor_for(app_state, qtbot, summary.id)
    panel = editor.attachments
    opened = []
    panel.open_url = opened.append
    source = tmp_path / filename
    source.write_bytes(data)
    panel.attach_file(source, kind="ktp")
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=2000)
    panel.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: not panel.open_button.isHidden(), timeout=2000)
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    return editor, panel, opened


def test_a_pdf_named_ktp_bat_opens_as_a_pdf_from_the_private_folder(qtbot, app_state, tmp_path):
    editor, panel, opened = open_attachment(qtbot, app_state, tmp_path, "ktp.bat", PDF)
    path = panel.last_opened
    assert path.suffix == ".pdf" and path.name.startswith("ktp-")  # never .bat
    assert opened and opened[0].toLocalFile() == str(path)
    assert path.read_bytes() == PDF
    assert path.parent == viewer.viewer_folder()
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_closing_the_window_empties_the_private_folder(qtbot, app_state, tmp_path):
    _editor, panel, _opened = open_attachment(qtbot, app_state, tmp_path, "kk.pdf", PDF)
    assert panel.last_opened.exists()
    window = MainWindow(app_state)
    qtbot.addWidget(window)
    window.show()
    window.close()  # signs out, as Keluar does
    assert list(viewer.viewer_folder().iterdir()) == []


def test_copies_left_by_a_crash_are_deleted_at_the_next_start(qtbot, qapp, created_office, monkeypatch):
    leftover = viewer.write_for_viewer("kk.pdf", PDF)
    seen = []

    class NobodySignsIn(QDialog):
        ctx = None

        def __init__(self, state, parent=None):
            super().__init__(parent)
            seen.append(leftover.exists())

        def exec(self):
            return QDialog.DialogCode.Rejected

    monkeypatch.setattr("app.ui.signin.SignInDialog", NobodySignsIn)
    from app.ui.main import run_gui

    folder, _created = created_office
    assert run_gui(folder) == 0
    assert seen == [False]  # gone before the sign-in shows


def test_a_name_with_a_path_stays_in_the_private_folder():
    path = viewer.write_for_viewer("../../../home/ani/.bashrc.pdf", PDF)
    assert path.parent == viewer.viewer_folder() and path.suffix == ".pdf"
    path = viewer.write_for_viewer("C:\\\\Windows\\\\ktp.pdf.exe", PDF)
    assert path.parent == viewer.viewer_folder() and path.name.startswith("ktp-") and path.suffix == ".pdf"


def test_bytes_that_are_no_document_are_not_handed_to_a_viewer():
    with pytest.raises(viewer.CannotShowDocument):
        viewer.write_for_viewer("surat.pdf", b"MZ\\x90\\x00 a Windows program")
    assert list(viewer.viewer_folder().iterdir()) == []


@pytest.mark.skipif(os.name == "nt", reason="symbolic links and owners are POSIX here")
def test_a_planted_link_instead_of_the_folder_is_refused(tmp_path, monkeypatch):
    base = tmp_path / "shared-tmp"
    base.mkdir()
    catch = tmp_path / "attacker"
    catch.mkdir()
    (base / viewer.FOLDER_NAME).symlink_to(catch)
    monkeypatch.setattr(viewer, "_base", base)
    with pytest.raises(viewer.ViewerFolderUnsafe):
        viewer.write_for_viewer("kk.pdf", PDF)
    assert list(catch.iterdir()) == []
