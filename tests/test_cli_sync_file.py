"""`usulkan sync` for an office that works by USB stick, as real processes on both sides."""

from __future__ import annotations


from tests.fakes.cli import linked_by_file, run, server


def test_export_and_import_return_from_the_command_line(tmp_path):
    folder, srv, stick, office_id = linked_by_file(tmp_path)
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
