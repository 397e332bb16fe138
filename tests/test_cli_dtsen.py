"""`usulkan dtsen` and `usulkan-server dtsen` as real processes: extract in, package on the stick, lookup."""

from __future__ import annotations

from tests.fakes.cli import linked_by_file, run, server

CSV = ("dtsen_id,no_kk,desil,programmes,nik,name\n"
       "D-7,3575031009000007,3,PKH;PBI-JK,3575031009000701,Siti Aminah\n"
       "D-7,3575031009000007,3,PKH;PBI-JK,3575031009000702,Budi Santoso\n")


def test_extract_published_carried_imported_and_looked_up(tmp_path):
    folder, srv, stick, office_id = linked_by_file(tmp_path)
    operator = ["--operator", "Ani", "--passphrase-file", str(tmp_path / "op.txt")]
    (tmp_path / "extract.csv").write_text(CSV)
    assert server("dtsen", "import", "--data-dir", str(srv), "--office", office_id,
                  str(tmp_path / "extract.csv")).returncode == 0
    made = server("dtsen", "publish", "--data-dir", str(srv), "--office", office_id, "--out", str(stick))
    assert made.returncode == 0, made.stderr
    done = run("dtsen", "import", str(stick), *operator, data_dir=folder)
    assert done.returncode == 0 and "versi 1" in done.stdout, done.stderr
    again = run("dtsen", "import", str(stick), *operator, data_dir=folder)
    assert again.returncode != 0 and "sudah ada" in again.stderr
    found = run("dtsen", "lookup", "3575031009000702", *operator, data_dir=folder)
    assert found.returncode == 0 and "D-7" in found.stdout and "Desil: 3" in found.stdout
    assert "Siti Aminah" in found.stdout and "usulan baru" in found.stdout
