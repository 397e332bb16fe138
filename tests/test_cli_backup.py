"""`usulkan backup create|list|restore` and `usulkan doctor`, run through the real argument parser."""

from __future__ import annotations

import json
import shutil

from app.cli import main
from app.services import restore
from tests.conftest import OPERATOR_PASS


def _pass_file(tmp_path):
    path = tmp_path / "op.txt"
    path.write_text(OPERATOR_PASS + "\n")
    return str(path)


def test_create_list_destroy_restore(tmp_path, created_office, capsys):
    folder, created = created_office
    secret = _pass_file(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    assert main(["--data-dir", str(folder), "backup", "create", "--operator", "Ani Operator",
                 "--passphrase-file", secret, "--folder", str(stick), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert main(["--data-dir", str(folder), "backup", "list", "--folder", str(stick), "--check", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [b["name"] for b in listed["backups"]] == [made["name"]] and listed["incomplete"] == []

    shutil.rmtree(folder)
    fresh = tmp_path / "fresh"
    assert main(["--data-dir", str(fresh), "backup", "restore", made["path"], "--operator", "Ani Operator",
                 "--passphrase-file", secret, "--json"]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert restored["installation_id"] == restore.installation_id(fresh)
    assert (fresh / "vault.json").is_file()


def test_restore_without_an_operator_names_those_in_the_backup(tmp_path, created_office, capsys):
    folder, _ = created_office
    secret = _pass_file(tmp_path)
    assert main(["--data-dir", str(folder), "backup", "create", "--operator", "Ani Operator",
                 "--passphrase-file", secret, "--folder", str(tmp_path / "s"), "--json"]) == 0
    path = json.loads(capsys.readouterr().out)["path"]
    assert main(["--data-dir", str(tmp_path / "fresh"), "backup", "restore", path]) == 1
    err = capsys.readouterr().err
    assert "Ani Operator" in err and "Bapak Lurah" in err


def test_doctor_json_and_exit_status(tmp_path, created_office, capsys):
    folder, _ = created_office
    secret = _pass_file(tmp_path)
    args = ["--data-dir", str(folder), "doctor", "--operator", "Ani Operator", "--passphrase-file", secret, "--json"]
    # No backup yet: a problem, said in Indonesian with what to do.
    assert main(args) == 5
    report = json.loads(capsys.readouterr().out)
    checks = {c["code"]: c for c in report["checks"]}
    assert {"database", "audit", "outbox", "backup", "disk", "certificate", "leftovers"} <= set(checks)
    assert checks["database"]["status"] == "ok" and checks["audit"]["status"] == "ok"
    assert checks["backup"]["status"] == "problem" and "Cadangkan" in checks["backup"]["action"]
    stick = tmp_path / "stick"
    stick.mkdir()
    (folder / "backup.json").write_text(json.dumps({"folder": str(stick)}))
    assert main(["--data-dir", str(folder), "backup", "create", "--operator", "Ani Operator",
                 "--passphrase-file", secret]) == 0
    capsys.readouterr()
    status = main(args)
    report = json.loads(capsys.readouterr().out)
    assert {c["code"]: c["status"] for c in report["checks"]}["backup"] == "ok"
    assert status in (0, 4)


def test_doctor_finds_a_plain_sqlite_file_left_in_the_office(tmp_path, created_office, capsys):
    import sqlite3

    folder, _ = created_office
    plain = sqlite3.connect(folder / "export.db")
    plain.execute("create table t(x)")
    plain.commit()
    plain.close()
    args = ["--data-dir", str(folder), "doctor", "--operator", "Ani Operator", "--passphrase-file",
            _pass_file(tmp_path), "--json"]
    main(args)
    checks = {c["code"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["leftovers"]["status"] == "warning" and "export.db" in checks["leftovers"]["detail"]
