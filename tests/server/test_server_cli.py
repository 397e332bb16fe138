"""The `usulkan-server` commands: register an office, add staff, import USB files (receipts back), export."""

from __future__ import annotations

import json

import pytest

from app.server.cli import main
from app.server.config import Settings
from app.server.context import open_server
from app.server.provisioning import bind_office
from app.sync import keys
from app.sync.envelope import seal
from app.sync.receipt import Receipt, verify_receipt
from app.sync.transport_file import batch_file_name, read_receipt_file, receipt_file_name
from bench.server_world import NOW, Kelurahan, enrol, nik, sealed_bind_request


def test_register_import_and_export(tmp_path, database_url, capsys):
    common = ["--data-dir", str(tmp_path / "srv"), "--database-url", database_url]
    assert main(["register-office", *common, "--name", "Kelurahan Bugul Kidul", "--village", "35.75.03.1009"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (tmp_path / "pw").write_text("rahasia-dinsos-123\n")
    assert main(["add-staff", *common, "--username", "adi", "--role", "admin", "--password-file",
                 str(tmp_path / "pw")]) == 0

    ctx = open_server(Settings(data_dir=tmp_path / "srv", database_url=database_url))
    authority, operator = keys.generate_ed25519(), keys.generate_ed25519()
    request, token = sealed_bind_request(ctx, doc["office_id"], doc["enrolment_code"], authority)
    bind_office(ctx, doc["office_id"], request)
    kel = Kelurahan(ctx, doc["office_id"], authority, operator, None, token)
    kel.cert = kel.certify(operator)
    sealed, _, _ = kel.batch(kel.items([nik(1)]))
    ctx.close()
    (tmp_path / "batch.usulkan").write_bytes(sealed)
    (tmp_path / "cut.usulkan").write_bytes(sealed[:100])

    assert main(["import-file", *common, str(tmp_path / "batch.usulkan")]) == 0
    assert "accepted" in capsys.readouterr().out
    assert main(["import-file", *common, str(tmp_path / "cut.usulkan")]) == 1
    assert "truncated" in capsys.readouterr().err
    assert main(["export", *common, "--format", "csv", "--out", str(tmp_path / "bnba.csv")]) == 0
    assert (tmp_path / "bnba.csv").read_text(encoding="utf-8-sig").startswith("NIK,No. KK,Nama")


# --- import-file hands receipts back for the office (USB) ----------------------------------------


@pytest.fixture
def usb(tmp_path, database_url):
    """A server data folder with one bound kelurahan, and three of its batches on a 'stick' (not imported)."""
    data_dir = tmp_path / "srv"
    ctx = open_server(Settings(data_dir=data_dir, database_url=database_url))
    kel = enrol(ctx, "usb")
    stick = tmp_path / "stick"
    stick.mkdir()
    files, hashes = [], []
    for n in range(1, 4):
        sealed, digest, _ = kel.batch(kel.items([nik(100 + n)]))
        path = stick / batch_file_name(kel.office_id, n)
        path.write_bytes(sealed)
        files.append(path)
        hashes.append(digest)
    server_key = ctx.keys.server_public
    ctx.close()
    common = ["--data-dir", str(data_dir), "--database-url", database_url]
    return common, kel, files, hashes, server_key


def _receipts(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".usulkan-receipt"))


def _check_receipt(path, server_key, digest, sequence):
    receipt = Receipt.from_dict(read_receipt_file(path))  # what the office's import_receipt_file reads
    verify_receipt(receipt, server_key, expected_batch_hash=digest)
    assert receipt.sequence == sequence


def test_import_file_writes_each_receipt_beside_its_batch_file(usb, capsys):
    common, kel, files, hashes, server_key = usb
    assert main(["import-file", *common, str(files[0])]) == 0
    out = capsys.readouterr().out
    receipt_path = files[0].parent / receipt_file_name(kel.office_id, 1)
    assert "accepted batch" in out and str(receipt_path) in out
    _check_receipt(receipt_path, server_key, hashes[0], 1)
    first = receipt_path.read_bytes()
    # The same file again is a duplicate: nothing stored twice, the very same receipt written again.
    receipt_path.unlink()
    assert main(["import-file", *common, str(files[0])]) == 0
    assert "duplicate batch" in capsys.readouterr().out
    assert receipt_path.read_bytes() == first
    assert [p.name for p in files[0].parent.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_import_file_of_a_folder_writes_receipts_into_the_receipts_dir(usb, tmp_path, capsys):
    common, kel, files, hashes, server_key = usb
    out_dir = tmp_path / "back" / "to-office"
    assert main(["import-file", *common, "--receipts", str(out_dir), str(files[0].parent)]) == 0
    assert capsys.readouterr().out.count("accepted batch") == 3
    assert _receipts(out_dir) == [receipt_file_name(kel.office_id, n) for n in (1, 2, 3)]
    assert _receipts(files[0].parent) == []
    for n, digest in enumerate(hashes, start=1):
        _check_receipt(out_dir / receipt_file_name(kel.office_id, n), server_key, digest, n)


def test_a_held_batch_gets_its_receipt_once_the_missing_one_arrives(usb, tmp_path, capsys):
    common, kel, files, hashes, server_key = usb
    out_dir = tmp_path / "receipts"
    # Sequence 3 alone: held (gap), no receipt, and the exit status says the job is not done.
    assert main(["import-file", *common, "--receipts", str(out_dir), str(files[2])]) == 1
    assert "held batch" in capsys.readouterr().out
    assert not out_dir.exists() or _receipts(out_dir) == []
    # 2 then 1 in one run: 2 is held, 1 releases 2 and the earlier-held 3; every receipt is written.
    assert main(["import-file", *common, "--receipts", str(out_dir), str(files[1]), str(files[0])]) == 0
    out = capsys.readouterr().out
    assert "released held batch" in out and " seq 3;" in out
    assert _receipts(out_dir) == [receipt_file_name(kel.office_id, n) for n in (1, 2, 3)]
    for n, digest in enumerate(hashes, start=1):
        _check_receipt(out_dir / receipt_file_name(kel.office_id, n), server_key, digest, n)


def _tampered_files(files, kel, folder):
    """Damaged copies of batch 1: cut short, a flipped ciphertext byte, a relabelled envelope, junk."""
    sealed = files[0].read_bytes()
    flipped = bytearray(sealed)
    flipped[len(sealed) // 2] ^= 0x01
    signed_again = kel.batch(kel.items([nik(200)]), sequence=1, prev="0" * 64, advance=False)[2]
    relabelled = seal(signed_again.to_bytes(), kel.ctx.keys.x25519.public_key(),
                      batch_id="3f1d2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", office_id=kel.office_id)
    cases = {"cut": sealed[: len(sealed) - 7], "flipped": bytes(flipped), "relabelled": relabelled,
             "junk": b"not a batch at all\n"}
    paths = {}
    for name, data in cases.items():
        paths[name] = folder / f"{name}.usulkan-batch"
        paths[name].write_bytes(data)
    return paths


def test_a_damaged_file_gets_a_one_line_reason_and_no_receipt(usb, tmp_path, capsys, database_url):
    common, kel, files, _hashes, _key = usb
    kel.ctx = open_server(Settings(data_dir=tmp_path / "srv", database_url=database_url))
    bad = tmp_path / "bad"
    bad.mkdir()
    paths = _tampered_files(files, kel, bad)
    kel.ctx.close()
    expected = {"cut": "truncated", "flipped": "damaged", "relabelled": "header_mismatch", "junk": "damaged"}
    for name, path in paths.items():
        assert main(["import-file", *common, str(path)]) == 1, name
        captured = capsys.readouterr()
        assert captured.out == ""
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{path}: {expected[name]}: "), (name, lines)
        assert len(lines[0]) > len(f"{path}: {expected[name]}: ") + 10  # a message, not just a code
    assert sorted(p.name for p in bad.iterdir()) == sorted(p.name for p in paths.values())  # nothing written
    # None of them was stored: the real batch 1 is still accepted as the first of the chain.
    assert main(["import-file", *common, str(files[0])]) == 0
    assert "accepted batch" in capsys.readouterr().out


def test_a_missing_file_or_an_empty_folder_is_reported(usb, tmp_path, capsys):
    common, *_ = usb
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["import-file", *common, str(tmp_path / "nope.usulkan-batch"), str(empty)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{tmp_path / 'nope.usulkan-batch'}: unreadable: ")
    assert err[1].startswith(f"{empty}: no_batch_files: ")
