"""Issue #4 end to end: A hands everything to B, is revoked, and Dinsos (the real server, in process) agrees.

The server runs in this process on its own SQLite database; a small transport hands sealed batches
straight to ``app.server.ingest`` (what the HTTP endpoint does), so the office code under test is
exactly what talks to Dinsos over the network.
"""

from __future__ import annotations

import json
import shutil
import uuid

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.server.config import Settings
from app.server.context import open_server
from app.server.ingest import DUPLICATE, ingest
from app.server.provisioning import register_office
from app.services import lurah as lurah_service
from app.services import handover, handover_report, operators, outbox, provisioning, sync
from app.services import keys as office_keys
from app.services.office import open_office, open_office_with_recovery
from app.storage.engine import WrongKey, connect
from app.storage.sync_models import OutboxBatch, OutboxItem
from app.storage.vault import UnknownOperator, Vault, WrongPassphrase
from app.sync.batch import BatchItem, build_batch
from app.sync.envelope import seal
from app.sync.transport_http import BatchRefused
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS
from tests.fakes.handover_work import B_PASS, make_work_of_every_kind
from tests.fakes.in_process_dinsos import InProcessDinsos


@pytest.fixture
def dinsos(tmp_path):
    ctx = open_server(Settings(data_dir=tmp_path / "dinsos"))
    yield ctx
    ctx.close()


@pytest.fixture
def linked_office(dinsos, lurah, office):
    """The office registered at the real server, bound by the Lurah, A (the operator) certified."""
    document = register_office(dinsos, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = InProcessDinsos(dinsos)
    provisioning.import_provisioning(lurah, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(lurah, transport)
    office_keys.certify_operator(lurah, office.operator_id)
    return transport


def _batches(ctx) -> list[OutboxBatch]:
    with ctx.reading() as session:
        return list(session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence)))


def test_a_hands_over_to_b_is_revoked_and_dinsos_agrees(linked_office, dinsos, office, lurah, created_office,
                                                         tmp_path, fast_kdf):
    folder, _created = created_office
    transport = linked_office
    a, a_id = office, office.operator_id

    # A works: one proposal of each kind of open work, and one batch that reaches Dinsos.
    keys_by_kind = make_work_of_every_kind(a)
    assert outbox.build_batches(a)
    report = sync.send_pending(a, transport, now=utcnow())
    assert len(report.delivered) == 1 and not report.rejected
    [earlier] = _batches(a)

    # B is enrolled (only with the Lurah and her passphrase).
    with pytest.raises(lurah_service.ConfirmationRefused):
        operators.enrol_operator(a, name="Budi", role="operator", passphrase=B_PASS, confirmation=None,
                                 kdf=fast_kdf)
    with pytest.raises(WrongPassphrase):
        operators.enrol_operator(lurah, name="Budi", role="operator", passphrase=B_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase="bukan sandi lurah"), kdf=fast_kdf)
    b_id = operators.enrol_operator(lurah, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id

    # A hands every item to B with a note, signs the record; the Lurah countersigns.
    work = handover.open_work(a, a_id)
    assert {item.key for item in work} == set(keys_by_kind.values())
    notes = {item.key: f"Untuk Budi: {item.label} — lanjutkan" for item in work}
    _report, record_id = handover_report.hand_over_and_record(
        a, from_operator=a_id, assignments={item.key: b_id for item in work}, notes=notes)
    handover_report.countersign(lurah, record_id, factories.approve(lurah, "endorse", record_id))
    signed = handover_report.verify_record(lurah, record_id)
    assert signed.operator_signed and signed.lurah_signed

    # What a leaver could walk away with: a copy of the vault, their signing key and certificate.
    stolen = tmp_path / "stolen"
    stolen.mkdir()
    shutil.copy(folder / "vault.json", stolen / "vault.json")
    old_db_name = Vault.load(folder).database_path.name
    a_signer, a_cert = office_keys.operator_signer(a), office_keys.current_certificate(a)
    with a.reading() as session:
        payload = session.scalars(select(OutboxItem.payload)).first()
    a.close()

    result = operators.revoke_operator(lurah, a_id, reason="Kontrak selesai", confirmation=factories.approve(lurah, "revoke", a_id))
    assert result.moved.items == ()  # everything had already gone to B
    with pytest.raises((UnknownOperator, WrongPassphrase)):
        open_office(folder, a_id, OPERATOR_PASS)
    new_db = Vault.load(folder).database_path
    shutil.copy(new_db, stolen / old_db_name)
    stale_key = Vault.load(stolen).unlock_operator(a_id, OPERATOR_PASS)
    with pytest.raises(WrongKey):
        connect(new_db, stale_key)

    b = open_office(folder, b_id, B_PASS)
    try:
        seen = {item.key: item for item in handover.open_work(b, b_id)}
        assert set(seen) == set(keys_by_kind.values())
        for key, note in notes.items():
            assert seen[key].notes == (note,)
        [waiting] = handover_report.awaiting_acknowledgement(b)
        assert handover_report.acknowledge(b, waiting.id).acknowledged_by == b_id
        assert handover_report.verify_record(b, record_id).lurah_signed  # still verifies after the re-key

        # B's next batch carries the Lurah's signed revocation to Dinsos.
        made = outbox.build_batches(b)
        assert made
        report = sync.send_pending(b, transport, now=utcnow())
        assert report.delivered == made and not report.rejected
        assert operators.pending_revocations(b) == []
        last = _batches(b)[-1]
    finally:
        b.close()

    # A, with the stolen key, signs the next batch in the chain: Dinsos refuses it as revoked.
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", payload=payload, route="muskel")
    forged = build_batch(office_id=a_cert.office_id, sequence=last.sequence + 1, prev_batch_hash=last.batch_hash,
                         operator_certificate=a_cert, items=[item],
                         created_at=office_keys.now_seconds(lurah)).sign_operator(a_signer)
    with lurah.reading() as session:
        dinsos_key = outbox.encryption_key(session)
    sealed = seal(forged.to_bytes(), dinsos_key, batch_id=forged.batch_id, office_id=forged.office_id)
    with pytest.raises(BatchRefused) as refused:
        transport.post_batch(sealed)
    assert refused.value.reason == "revoked"
    # A's batch from before the revocation stands: sent again, Dinsos answers with the same receipt.
    again = ingest(dinsos, earlier.sealed, source="test")
    assert again.outcome == DUPLICATE and json.loads(again.receipt) == json.loads(earlier.receipt)


def test_sudden_departure_with_the_recovery_code(office, lurah, created_office, fast_kdf):
    folder, created = created_office
    a_id = office.operator_id
    keys_by_kind = make_work_of_every_kind(office)
    b_id = operators.enrol_operator(lurah, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id
    office.close()  # A is gone and never comes back
    lurah.close()  # nor can the Lurah remember her passphrase: the printed recovery code opens the office

    rescue = open_office_with_recovery(folder, created.recovery_code)
    try:
        moved = handover.move_all_open_work(rescue, a_id, b_id)
        record_id = handover_report.record_handover(rescue, moved, b_id)
        handover_report.countersign(rescue, record_id, factories.approve(rescue, "endorse", record_id))
        view = handover_report.verify_record(rescue, record_id)
        # Nobody had A's key: the record says it is unsigned by key, and the Lurah vouches for it.
        assert not view.operator_signed and view.lurah_signed and len(view.items) == len(keys_by_kind)
        operators.revoke_operator(rescue, a_id, reason="Tidak masuk kerja lagi", confirmation=factories.approve(rescue, "revoke", a_id))
    finally:
        rescue.close()
    with pytest.raises((UnknownOperator, WrongPassphrase)):
        open_office(folder, a_id, OPERATOR_PASS)
    b = open_office(folder, b_id, B_PASS)
    try:
        assert {item.key for item in handover.open_work(b, b_id)} == set(keys_by_kind.values())
        assert handover_report.awaiting_acknowledgement(b)[0].id == record_id
    finally:
        b.close()


def test_enrolment_without_the_lurah_fails(office, fast_kdf, created_office):
    with pytest.raises(lurah_service.ConfirmationRefused):
        operators.enrol_operator(office, name="Citra", role="operator", passphrase="sandi operator citra",
                                 confirmation=None, kdf=fast_kdf)
    with pytest.raises(WrongPassphrase):
        factories.approve(office, "enrol", passphrase="sandi operator citra")
    assert [name for _id, name in Vault.load(created_office[0]).operators()] == ["Bapak Lurah", "Ani Operator"]
