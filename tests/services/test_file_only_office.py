"""An office with no server address builds, signs and seals its batches and saves them to a stick."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.server.cli import import_files
from app.server.models import Batch
from app.services import outbox, sync, sync_run
from app.services.keys import NotProvisioned
from app.storage.sync_models import OutboxBatch
from app.sync.transport_file import batch_files_in
from tests.fakes.by_file import file_only_server, link_by_file
from tests.fakes.sync_world import queue_ready


@pytest.fixture
def server(tmp_path):
    ctx = file_only_server(tmp_path / "dinsos")
    yield ctx
    ctx.close()


def test_an_office_without_a_server_address_saves_sealed_batches_dinsos_accepts(server, lurah, office, tmp_path):
    stick = tmp_path / "usb"
    link_by_file(server, lurah, stick)
    ids = queue_ready(office, 1, 2)
    before = sync_run.sync_state(office)
    assert before.bound and before.server_url is None and before.to_send == 0 and before.items_waiting == 2

    written = sync.export_ready(office, stick)

    assert [p.name for p in written] == [p.name for p in batch_files_in(stick)] and len(written) == 1
    with office.reading() as session:
        batch = session.scalars(select(OutboxBatch)).one()
        assert batch.state == outbox.READY and batch.sealed == written[0].read_bytes()
    # Dinsos opens it with its own key and stores both proposals; its receipt closes the loop.
    results = import_files(server, [written[0]])
    assert results[0].outcome == "accepted" and results[0].done
    with server.reading() as session:
        assert session.scalars(select(Batch.item_count)).one() == 3  # two proposals and the audit head
    assert sync.import_receipt_files(office, [results[0].receipt], now=utcnow()).recorded == [batch.batch_id]
    assert sync_run.sync_state(office).items_waiting == 0
    # Saving again writes nothing new: the batch is received.
    assert sync.export_ready(office, tmp_path) == []
    assert len(ids) == 2


def test_the_lurah_saves_what_is_signed_but_signs_nothing_herself(server, lurah, office, tmp_path):
    link_by_file(server, lurah, tmp_path / "usb")
    queue_ready(office, 3)
    assert sync.export_ready(lurah, tmp_path / "usb") == []  # the Lurah holds no operator certificate
    with office.reading() as session:
        assert session.scalars(select(OutboxBatch)).all() == []
    assert len(sync.export_ready(office, tmp_path / "usb")) == 1


def test_an_office_not_linked_yet_builds_nothing(office, tmp_path):
    queue_ready(office, 4)
    with pytest.raises(NotProvisioned):
        sync.export_ready(office, tmp_path)
