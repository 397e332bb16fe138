"""`usulkan sync` for an office that works by USB stick, as real processes on both sides."""

from __future__ import annotations

import json

from tests import factories
from tests.fakes.cli import LURAH, PASS, run, server


def _linked_by_file(tmp_path):
    folder, srv, stick = tmp_path / "office", tmp_path / "dinsos", tmp_path / "usb"
    stick.mkdir()
    (tmp_path / "op.txt").write_text(PASS + "\n")
    (tmp_path / "lurah.txt").write_text(LURAH + "\n")
    assert run("office", "init", "--name", "Kelurahan Bugul Kidul", "--village", factories.VILLAGE, "--lurah",
               "Bapak Lurah", "--operator", "Ani", "--lurah-passphrase-file", str(tmp_path / "lurah.txt"),
               "--passphrase-file", str(tmp_path / "op.txt"), data_dir=folder).returncode == 0
    assert server("register-office", "--data-dir", str(srv), "--name", "Kelurahan Bugul Kidul", "--village",
                  factories.VILLAGE, "--file-only", "--out", str(tmp_path / "doc.json")).returncode == 0
    doc = json.loads((tmp_path / "doc.json").read_text())
    lurah = ["--operator", "Bapak Lurah", "--passphrase-file", str(tmp_path / "lurah.txt")]
    assert run("office", "link", str(tmp_path / "doc.json"), "--fingerprint", doc["dinsos_root_fingerprint"],
               *lurah, data_dir=folder).returncode == 0
    request = folder / f"usulkan-{doc['office_id']}.usulkan-bind-request"
    assert server("bind-file", "--data-dir", str(srv), str(request), "--out", str(stick)).returncode == 0
    answer = stick / f"usulkan-{doc['office_id']}.usulkan-bind-answer"
    assert run("office", "link-answer", str(answer), *lurah, data_dir=folder).returncode == 0
    return folder, srv, stick, doc["office_id"]


def test_export_and_import_return_from_the_command_line(tmp_path):
    folder, srv, stick, office_id = _linked_by_file(tmp_path)
    operator = ["--operator", "Ani", "--passphrase-file", str(tmp_path / "op.txt")]

    saved = run("sync", "export", str(stick), *operator, data_dir=folder)
    assert saved.returncode == 0 and "0 berkas batch disimpan" in saved.stdout, saved.stderr

    made = server("return-file", "--data-dir", str(srv), "--office", office_id, "--out", str(stick))
    assert made.returncode == 0, made.stderr
    (path,) = stick.glob("*.usulkan-return")
    imported = run("sync", "import-return", str(path), *operator, data_dir=folder)
    assert imported.returncode == 0 and "tidak ada yang baru" in imported.stdout, imported.stderr

    # Someone changes one byte on the stick: refused in Indonesian, exit 1.
    data = bytearray(path.read_bytes())
    data[-20] = ord("A") if data[-20] != ord("A") else ord("B")
    path.write_bytes(bytes(data))
    refused = run("sync", "import-return", str(path), *operator, data_dir=folder)
    assert refused.returncode == 1 and "Berkas balasan" in refused.stderr, refused.stderr
