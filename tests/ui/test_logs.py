"""The desktop logs to a rotated file in the office folder, not the terminal, and never a NIK or a name."""

from __future__ import annotations

import logging
import os
import stat

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.ui.logs import BACKUPS, MAX_BYTES, OfficeLog, redact
from app.ui.qt import QDialog


@pytest.fixture
def office_log():
    root = logging.getLogger()
    before_handlers, before_level = list(root.handlers), root.level
    log = OfficeLog()
    yield log
    log.close()
    root.handlers[:] = before_handlers
    root.setLevel(before_level)


def test_records_go_to_the_office_folder_and_not_to_the_terminal(office_log, created_office, capsys):
    folder, _created = created_office
    logging.getLogger("app.test").warning("waiting for the office")  # before attach: kept in memory
    path = office_log.attach(folder)
    logging.getLogger("app.test").warning("the sender could not reach the Dinsos")
    office_log.file.flush()
    assert path == folder / "logs" / "usulkan.log"
    content = path.read_text(encoding="utf-8")
    assert "waiting for the office" in content and "could not reach the Dinsos" in content
    captured = capsys.readouterr()
    assert "Dinsos" not in captured.err and "Dinsos" not in captured.out
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_nothing_is_written_into_a_folder_that_is_not_an_office_yet(office_log, tmp_path):
    # The first-run wizard needs an empty folder: a log file there would make it refuse.
    folder = tmp_path / "new-office"
    folder.mkdir()
    assert office_log.attach(folder) is None
    assert list(folder.iterdir()) == []


def test_a_nik_typed_any_way_and_sql_values_never_reach_the_file(office_log, created_office):
    folder, _created = created_office
    path = office_log.attach(folder)
    log = logging.getLogger("app.test")
    for nik in ("3575034101900001", "3575.0341.0190.0001", "3575-0341-0190-0001", "3575\u20130341\u20130190\u20130001",
                "3575 0341 0190 0001"):
        log.error("lookup failed for %s", nik)
    try:
        raise IntegrityError("INSERT INTO members (nik, name) VALUES (?, ?)",
                             ("3575034101900001", "SITI AMINAH"), Exception("UNIQUE constraint failed"))
    except IntegrityError:
        log.exception("saving failed")
    office_log.file.flush()
    content = path.read_text(encoding="utf-8")
    assert "3575034101900001" not in content and "0341" not in content
    assert "SITI AMINAH" not in content
    assert content.count("[16 angka]") == 5 and "INSERT INTO members" in content


def test_the_file_is_rotated(office_log, created_office):
    folder, _created = created_office
    path = office_log.attach(folder)
    line = "x" * 1000
    for _ in range(MAX_BYTES // 1000 * (BACKUPS + 2)):
        logging.getLogger("app.test").info(line)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["usulkan.log"] + [f"usulkan.log.{n}" for n in range(1, BACKUPS + 1)]
    assert all(p.stat().st_size <= MAX_BYTES + 2000 for p in path.parent.iterdir())


def test_qt_warnings_go_to_the_log(office_log, created_office):
    from app.ui.qt import qWarning

    folder, _created = created_office
    path = office_log.attach(folder)
    qWarning("QPainter::begin: Paint device returned engine == 0")
    office_log.file.flush()
    assert "WARNING qt: QPainter::begin" in path.read_text(encoding="utf-8")


def test_redact_keeps_tracking_codes_and_short_numbers():
    assert redact("K7Q-2MX-4RP v2, RW 003, 12 items") == "K7Q-2MX-4RP v2, RW 003, 12 items"


def test_run_gui_logs_to_the_office_folder(qapp, created_office, monkeypatch):
    class NobodySignsIn(QDialog):
        ctx = None

        def exec(self):
            logging.getLogger("app.test").warning("the sign-in was shown")
            return QDialog.DialogCode.Rejected

    monkeypatch.setattr("app.ui.signin.SignInDialog", lambda state: NobodySignsIn())
    from app.ui.main import run_gui

    root = logging.getLogger()
    before = list(root.handlers)
    folder, _created = created_office
    try:
        assert run_gui(folder) == 0
    finally:
        root.handlers[:] = before
    assert "the sign-in was shown" in (folder / "logs" / "usulkan.log").read_text(encoding="utf-8")
