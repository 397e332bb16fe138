"""The scripted command line, run as a real process: init, add, list, show, audit verify."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy import text

from tests import factories
from tests.fakes.cli import PASS, auth, run


def test_version():
    result = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True, text=True)
    from app import __version__

    assert result.stdout.strip() == f"usulkan {__version__}"


def test_add_list_show_round_trip(cli_office):
    folder, secrets_dir, created = cli_office
    assert len(created["recovery_code"].replace("-", "")) >= 26
    added = run("proposal", "add", "-", *auth(secrets_dir), "--json", data_dir=folder,
                stdin=json.dumps(factories.proposal_dict()))
    assert added.returncode == 0, added.stderr
    code = json.loads(added.stdout)["tracking_code"]
    listed = run("proposal", "list", "--search", "aminah", *auth(secrets_dir), "--json", data_dir=folder)
    rows = json.loads(listed.stdout)["rows"]
    assert [(r["tracking_code"], r["head_nik"], r["state"]) for r in rows] == [(code, factories.HEAD_NIK, "draft")]
    shown = run("proposal", "show", code, *auth(secrets_dir), "--json", data_dir=folder)
    detail = json.loads(shown.stdout)
    assert detail["household"]["members"][2]["name"] == "DEWI LESTARI"
    assert [h["to"] for h in detail["history"]] == ["draft"]
    text_out = run("proposal", "show", code, *auth(secrets_dir), data_dir=folder)
    assert "SITI AMINAH" in text_out.stdout


def test_invalid_proposal_is_explained_in_indonesian_and_not_saved(cli_office):
    folder, secrets_dir, _ = cli_office
    data = factories.proposal_dict()
    data["household"]["members"][0]["nik"] = "12345"
    result = run("proposal", "add", "-", *auth(secrets_dir), data_dir=folder, stdin=json.dumps(data))
    assert result.returncode == 1
    assert "Anggota 1, NIK" in result.stderr  # the form's label, never the path members[0].nik
    assert "members[" not in result.stderr
    assert "NIK" in result.stderr and "16" in result.stderr
    listed = run("proposal", "list", "--search", "12345", *auth(secrets_dir), "--json", data_dir=folder)
    assert json.loads(listed.stdout)["total"] == 0


def test_wrong_passphrase_is_a_clear_error(cli_office, tmp_path):
    folder, _, _ = cli_office
    bad = tmp_path / "bad.txt"
    bad.write_text("bukan sandinya\n")
    result = run("proposal", "list", "--operator", "Ani", "--passphrase-file", str(bad), data_dir=folder)
    assert result.returncode == 1
    assert result.stderr.startswith("Kesalahan:")
    result_en = run("proposal", "list", "--operator", "Ani", "--passphrase-file", str(bad), data_dir=folder, lang="en")
    assert result_en.stderr.startswith("Error:")


def test_audit_verify_finds_a_tampered_entry(cli_office):
    folder, secrets_dir, _ = cli_office
    ok = run("audit", "verify", *auth(secrets_dir), "--json", data_dir=folder)
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    # Tamper as someone holding the key would: through the engine, with the data key.
    from app.services.office import open_office

    ctx = open_office(folder, run_json_id(folder, "Ani"), PASS)
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET action = 'nothing.happened' WHERE seq = 2"))
    ctx.close()
    broken = run("audit", "verify", *auth(secrets_dir), data_dir=folder)
    assert broken.returncode == 3
    assert "2" in broken.stdout and "diubah" in broken.stdout


def run_json_id(folder, name):
    from app.services.office import find_operator

    return find_operator(folder, name)
