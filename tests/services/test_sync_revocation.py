"""A revocation the Lurah signs travels to the real Dinsos server in the next batch someone else signs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

pytest.importorskip("fastapi")

from app.clock import utcnow  # noqa: E402
from app.server.models import Item, StoredRevocation  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import keys as office_keys  # noqa: E402
from app.services import operators, outbox, provisioning, sync  # noqa: E402
from app.services.office import open_office  # noqa: E402
from app.storage.handover_models import PendingRevocation  # noqa: E402
from app.storage.sync_models import OutboxBatch  # noqa: E402
from app.sync.batch import BatchItem, batch_hash, build_batch  # noqa: E402
from app.sync.envelope import seal  # noqa: E402
from app.sync.transport_http import BatchRefused, HttpTransport  # noqa: E402
from tests import factories
from tests.conftest import LURAH_PASS  # noqa: E402
from tests.fakes.sync_world import nik, queue_ready  # noqa: E402

B_PASS = "sandi operator pengganti"


def _last_batch(ctx) -> OutboxBatch:
    with ctx.reading() as session:
        row = session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence.desc())).first()
        session.expunge(row)
        return row


def test_a_revocation_reaches_dinsos_and_shuts_out_later_batches(server, office, lurah, created_office, fast_kdf):
    server_ctx, url = server
    folder, _created = created_office
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(lurah, document)
    provisioning.bind(lurah, transport)
    office_keys.certify_operator(lurah, office.operator_id)
    b = operators.enrol_operator(lurah, name="Budi Pengganti", role="operator", passphrase=B_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)

    # A sends one batch, then keeps a copy of what it needs to forge a later one.
    queue_ready(office, 61)
    outbox.build_batches(office)
    assert sync.send_pending(office, transport, now=utcnow()).delivered
    first = _last_batch(office)
    with office.reading() as session:
        a_cert = office_keys.certificate_in(office, session)
        a_signer = office_keys.signer_in(office, session)
        office_id = office_keys.server_office_id(session)
        key = outbox.encryption_key(session)
    office.close()

    result = operators.revoke_operator(lurah, office.operator_id, reason="Kontrak berakhir", confirmation=factories.approve(lurah, "revoke", office.operator_id))
    assert result.effective_after_sequence == first.sequence
    # The Lurah holds no operator certificate: nothing is signed until B builds a batch.
    with pytest.raises(office_keys.NotCertified):
        outbox.build_batches(lurah)

    budi = open_office(folder, b.operator_id, B_PASS)
    try:
        made = outbox.build_batches(budi)  # nothing queued: the revocation goes on its own
        assert len(made) == 1
        assert sync.send_pending(budi, transport, now=utcnow()).delivered == made
        with budi.reading() as session:
            pending = session.scalars(select(PendingRevocation)).all()
            assert [p.batch_id for p in pending] == made and all(p.delivered_at for p in pending)
        assert operators.pending_revocations(budi) == []
        with server_ctx.reading() as session:
            stored = session.scalars(select(StoredRevocation)).all()
            assert [r.effective_after_sequence for r in stored] == [first.sequence]

        # B's own work still goes through after the revocation.
        queue_ready(budi, 62)
        outbox.build_batches(budi)
        assert len(sync.send_pending(budi, transport, now=utcnow()).delivered) == 1
        latest = _last_batch(budi)

        # A batch signed with A's key after the boundary is refused, nothing stored ...
        forged_item = BatchItem.create(item_id="0b5e8f9c-1d2a-4b3c-8d4e-5f6a7b8c9d0e", item_type="proposal",
                                       payload={"kind": "baru", "nik": nik(63)})
        forged = build_batch(office_id=office_id, sequence=latest.sequence + 1, prev_batch_hash=latest.batch_hash,
                             operator_certificate=a_cert, items=[forged_item],
                             created_at=office_keys.now_seconds(budi)).sign_operator(a_signer)
        data = forged.to_bytes()
        assert forged.is_complete and batch_hash(data)
        with pytest.raises(BatchRefused) as refused:
            transport.post_batch(seal(data, key, batch_id=forged.batch_id, office_id=office_id))
        assert refused.value.reason == "revoked"
        # ... while what A sent before the boundary stays accepted.
        with server_ctx.reading() as session:
            assert session.scalar(select(func.count()).select_from(Item)) == 2
            assert session.get(Item, forged_item.item_id) is None
    finally:
        budi.close()


def test_a_refused_batch_gives_its_revocation_back_to_the_next_one(linked, lurah, created_office, fast_kdf):
    from tests.fakes.sync_world import Refusing

    folder, _created = created_office
    b = operators.enrol_operator(lurah, name="Budi Pengganti", role="operator", passphrase=B_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)
    linked.close()
    operators.revoke_operator(lurah, linked.operator_id, reason="Kontrak berakhir", confirmation=factories.approve(lurah, "revoke", linked.operator_id))
    budi = open_office(folder, b.operator_id, B_PASS)
    try:
        first = outbox.build_batches(budi)
        assert sync.send_pending(budi, Refusing("schema"), now=utcnow()).rejected == {first[0]: "schema"}
        assert outbox.release_rejected(budi) == 0  # no proposal items, but the revocation is free again
        with budi.reading() as session:
            assert session.scalars(select(PendingRevocation.batch_id)).all() == [None]
        again = outbox.build_batches(budi)
        assert len(again) == 1 and again != first
        with budi.reading() as session:
            assert session.scalars(select(PendingRevocation.batch_id)).all() == again
            assert session.get(OutboxBatch, again[0]).sequence == 1
    finally:
        budi.close()
