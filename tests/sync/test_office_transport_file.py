"""USB transport: a sealed batch written atomically and read back whole; a cut or bent receipt refused."""

from __future__ import annotations

import json
import os

import pytest

from app.sync.envelope import open_envelope, seal
from app.sync.errors import EnvelopeTruncated
from app.sync.receipt import receipt_for
from app.sync.batch import verify_batch
from app.sync.transport_file import (
    ReceiptFileDamaged,
    ReceiptFileUnreadable,
    export_batch_file,
    read_receipt_file,
)
from sync_fixtures import NOW


@pytest.fixture
def sealed(world, make_signed):
    signed = make_signed()
    data = signed.to_bytes()
    return data, seal(data, world.dinsos_x25519.public_key(), batch_id=signed.batch_id, office_id=world.office_id)


def test_export_round_trip(tmp_path, world, sealed):
    data, envelope = sealed
    path = export_batch_file(envelope, tmp_path, sequence=7)
    assert path.name == f"usulkan-{world.office_id}-000007.usulkan-batch"
    assert path.read_bytes() == envelope
    assert open_envelope(path.read_bytes(), world.dinsos_x25519) == data
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_a_damaged_envelope_is_never_written(tmp_path, sealed):
    _, envelope = sealed
    with pytest.raises(EnvelopeTruncated):
        export_batch_file(envelope[:-5], tmp_path, sequence=1)
    assert list(tmp_path.iterdir()) == []


def _receipt_bytes(world, data) -> bytes:
    verified = verify_batch(data, authority_public_key=world.authority.public_key(), now=NOW)
    return receipt_for(world.server, verified, received_at=NOW).to_bytes()


def test_a_receipt_file_reads_back_as_the_receipt(tmp_path, world, sealed):
    data, _ = sealed
    raw = _receipt_bytes(world, data)
    (tmp_path / "r.json").write_bytes(raw)
    assert read_receipt_file(tmp_path / "r.json") == json.loads(raw)


@pytest.mark.parametrize("cut", [1, 10, 100])
def test_a_truncated_receipt_file_is_refused(tmp_path, world, sealed, cut):
    raw = _receipt_bytes(world, sealed[0])
    (tmp_path / "r.json").write_bytes(raw[:-cut])
    with pytest.raises(ReceiptFileDamaged):
        read_receipt_file(tmp_path / "r.json")


def test_a_reformatted_or_missing_receipt_file_is_refused(tmp_path, world, sealed):
    raw = _receipt_bytes(world, sealed[0])
    (tmp_path / "r.json").write_text(json.dumps(json.loads(raw), indent=1))
    with pytest.raises(ReceiptFileDamaged):
        read_receipt_file(tmp_path / "r.json")
    with pytest.raises(ReceiptFileUnreadable):
        read_receipt_file(tmp_path / "missing.json")
