"""Ganti Lurah with the old Lurah present, against a real server: the old key hands over, operators carry on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.server.batch_audit import verify_stored_batches
from app.server.models import Office as ServerOffice
from app.server.provisioning import register_office
from app.services import keys as office_keys
from app.services import lurah, lurah_handover, outbox, provisioning, sync
from app.services.office import open_office
from app.storage.models import AuditEntry, Operator
from app.sync.transport_http import HttpTransport
from tests import factories
from tests.fakes.sync_world import queue_ready

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def test_an_operator_cannot_start_a_change(chief, office, fast_kdf):
    with pytest.raises(lurah.ConfirmationRefused):
        lurah_handover.change_lurah(office, confirmation=None, new_name="Ibu Lurah Baru", passphrase=NEW_PASS,
                                    kdf=fast_kdf)
    with office.reading() as session:
        assert session.scalars(select(Operator.name).where(Operator.role == "lurah")).all() == ["Bapak Lurah"]


def test_the_old_lurah_hands_over_and_the_server_follows(server, chief, created_office, office, fast_kdf):
    server_ctx, url = server
    folder, _created = created_office
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(chief, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(chief, transport)
    office_keys.certify_operator(chief, office.operator_id)
    queue_ready(office, 81)
    outbox.build_batches(office)
    assert len(sync.send_pending(office, transport, now=utcnow()).delivered) == 1

    done = lurah_handover.change_lurah(chief, confirmation=factories.approve(chief, "rotate", lurah_handover.SUBJECT),
                                       new_name="Ibu Lurah Baru", passphrase=NEW_PASS, kdf=fast_kdf)
    assert done.boundary == 1 and done.recertified == (office.operator_id,)
    queue_ready(office, 82)
    outbox.build_batches(office)
    assert len(sync.send_pending(office, transport, now=utcnow()).delivered) == 1
    new_lurah = open_office(folder, done.new_lurah_id, NEW_PASS)
    try:
        new_key = office_keys.ensure_authority_key(new_lurah)
        with server_ctx.reading() as session:
            assert session.get(ServerOffice, document["office_id"]).authority_public_key == new_key
        with new_lurah.reading() as session:
            assert "lurah.change" in session.scalars(select(AuditEntry.action)).all()
    finally:
        new_lurah.close()
    assert verify_stored_batches(server_ctx, document["office_id"]).ok
