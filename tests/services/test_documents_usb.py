"""Documents by USB: the office's export carries them sealed beside the batch; import-file stores them."""

from __future__ import annotations

import hashlib

import pytest

pytest.importorskip("uvicorn")

from app.server.cli import main as server_main  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import attachments, keys as office_keys, outbox, provisioning, sync  # noqa: E402
from app.sync import keys  # noqa: E402
from app.sync.envelope import read_header, seal  # noqa: E402
from app.sync.transport_file import document_files_in  # noqa: E402
from app.sync.transport_http import HttpTransport  # noqa: E402
from tests.fakes.sync_world import PDF, ready_proposal  # noqa: E402
from tests.fakes.live_server import live_server  # noqa: E402
from tests.fakes.photos import jpeg_photo  # noqa: E402


@pytest.fixture
def dinsos(tmp_path):
    with live_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def bound(dinsos, office, lurah):
    ctx, url = dinsos
    document = register_office(ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    provisioning.import_provisioning(lurah, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(lurah, HttpTransport(url, timeout=(2, 10)))
    office_keys.certify_operator(lurah, office.operator_id)
    return office


def _export_with_photo(office, stick, n: int, photo: bytes) -> None:
    pid = ready_proposal(office, n)
    attachments.attach_to_proposal(office, pid, kind="house_photo", filename="rumah.jpg", data=photo)
    outbox.queue_proposal(office, pid)
    outbox.build_batches(office)
    stick.mkdir()
    sync.export_ready(office, stick)


def test_documents_travel_on_the_stick_and_are_stored_by_import_file(dinsos, bound, tmp_path, capsys):
    ctx, _url = dinsos
    photo = jpeg_photo(900, 700, seed=5)
    stick = tmp_path / "stick"
    _export_with_photo(bound, stick, 71, photo)
    files = document_files_in(stick)
    assert len(files) == 2  # the house photo and the muskel minutes
    for path in files:
        assert photo not in path.read_bytes() and PDF not in path.read_bytes()  # sealed, not in clear
    assert server_main(["import-file", "--data-dir", str(ctx.settings.data_dir), str(stick)]) == 0
    out = capsys.readouterr().out
    assert out.count("document stored") == 2 and "accepted batch" in out
    assert ctx.blobs.get(hashlib.sha256(photo).hexdigest()) == photo
    assert ctx.blobs.get(hashlib.sha256(PDF).hexdigest()) == PDF


def test_a_tampered_document_file_is_refused_and_the_batch_still_goes(dinsos, bound, tmp_path, capsys):
    ctx, _url = dinsos
    photo = jpeg_photo(900, 700, seed=6)
    stick = tmp_path / "stick"
    _export_with_photo(bound, stick, 72, photo)
    sha = hashlib.sha256(photo).hexdigest()
    [path] = [p for p in document_files_in(stick) if sha in p.name]
    original = path.read_bytes()
    raw = bytearray(original)
    raw[len(raw) // 2] ^= 0x40
    path.write_bytes(bytes(raw))
    assert server_main(["import-file", "--data-dir", str(ctx.settings.data_dir), str(stick)]) == 1
    captured = capsys.readouterr()
    assert "accepted batch" in captured.out and f"{path}: damaged: " in captured.err
    assert not ctx.blobs.exists(sha)
    assert ctx.blobs.exists(hashlib.sha256(PDF).hexdigest())  # the good file beside it is stored
    # A well-made file under the photo's name, but with other bytes inside: refused by the hash.
    header = read_header(original)
    forged = seal(jpeg_photo(900, 700, seed=7), keys.public_bytes(ctx.keys.x25519.public_key()),
                  batch_id=header.batch_id, office_id=header.office_id)
    path.write_bytes(forged)
    assert server_main(["import-file", "--data-dir", str(ctx.settings.data_dir), str(path)]) == 1
    assert f"{path}: hash_mismatch: " in capsys.readouterr().err and not ctx.blobs.exists(sha)
    # A file renamed to a hash no item names is refused too.
    other = path.with_name(path.name.replace(sha, "f" * 64))
    path.rename(other)
    assert server_main(["import-file", "--data-dir", str(ctx.settings.data_dir), str(other)]) == 1
    assert "not_referenced" in capsys.readouterr().err


def test_every_file_of_the_stick_may_be_named_on_the_command_line(dinsos, bound, tmp_path, capsys):
    ctx, _url = dinsos
    photo = jpeg_photo(900, 700, seed=8)
    stick = tmp_path / "stick"
    _export_with_photo(bound, stick, 73, photo)
    files = sorted(str(p) for p in stick.iterdir())
    assert server_main(["import-file", "--data-dir", str(ctx.settings.data_dir), *files]) == 0
    out = capsys.readouterr().out
    assert out.count("document stored") == 2 and out.count("accepted batch") == 1
    # The documents alone, again: already stored, nothing to refuse.
    docs = [str(p) for p in document_files_in(stick)]
    assert server_main(["import-file", "--data-dir", str(ctx.settings.data_dir), *docs]) == 0
    assert ctx.blobs.exists(hashlib.sha256(photo).hexdigest())
