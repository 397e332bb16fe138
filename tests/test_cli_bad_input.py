"""`usulkan proposal add` with NIKs as people paste them: canonical digits or a plain refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import factories

PASS, LURAH = "sandi operator cli", "sandi lurah cli"


def run(*args, data_dir, stdin=None):
    command = [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=dict(os.environ), timeout=120)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_input") / "office"
    (folder.parent / "op.txt").write_text(PASS + "\n")
    (folder.parent / "lurah.txt").write_text(LURAH + "\n")
    result = run(
        "office", "init", "--name", "Kelurahan Bugul Kidul", "--village", factories.VILLAGE,
        "--lurah", "Bapak Lurah", "--operator", "Ani", "--lurah-passphrase-file", str(folder.parent / "lurah.txt"),
        "--passphrase-file", str(folder.parent / "op.txt"), data_dir=folder,
    )
    assert result.returncode == 0, result.stderr
    return folder, ["--operator", "Ani", "--passphrase-file", str(folder.parent / "op.txt")]


def test_a_dash_inside_the_birth_date_digits_is_stored_as_sixteen_digits(office):
    folder, auth = office
    data = factories.proposal_dict()
    data["household"]["members"][0]["nik"] = "35750347\u201308850003"  # en dash, as pasted from a PDF
    data["household"]["kk_number"] = "357503\u2013120315\u00a00004"
    added = run("proposal", "add", "-", *auth, "--json", data_dir=folder, stdin=json.dumps(data))
    assert added.returncode == 0, added.stderr
    code = json.loads(added.stdout)["tracking_code"]
    shown = json.loads(run("proposal", "show", code, *auth, "--json", data_dir=folder).stdout)
    assert shown["household"]["members"][0]["nik"] == factories.HEAD_NIK
    assert shown["household"]["kk_number"] == factories.KK
    # The duplicate check sees the canonical NIK: the same person pasted again is refused.
    again = run("proposal", "add", "-", *auth, data_dir=folder, stdin=json.dumps(data))
    assert again.returncode == 1 and "Traceback" not in again.stderr


def test_a_letter_in_the_nik_is_refused_in_indonesian_without_a_traceback(office):
    folder, auth = office
    data = factories.proposal_dict()
    data["household"]["members"][1]["nik"] = "35750312O4830001"  # capital O for a zero
    result = run("proposal", "add", "-", *auth, data_dir=folder, stdin=json.dumps(data))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Kesalahan:")
    assert "angka" in result.stderr  # "NIK hanya boleh berisi angka", said at the member
