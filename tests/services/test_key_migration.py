"""An office from before sealed keys (revision 0006, keys in clear) migrates without losing a batch.

Revision 0008 seals the keys, destroys the clear copies (secure_delete, VACUUM), issues new keys
and certificates, and revokes the old ones at Dinsos at the sequence boundary. The old keys, which
any operator could have copied from the database or a backup, sign nothing Dinsos accepts after it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text

pytest.importorskip("fastapi")

from app.clock import utcnow  # noqa: E402
from app.server.models import Item, StoredRevocation  # noqa: E402
from app.server.models import Office as ServerOffice  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import keys as office_keys  # noqa: E402
from app.services import outbox, provisioning, sync  # noqa: E402
from app.services.office import open_office  # noqa: E402
from app.storage import migrate, sealed  # noqa: E402
from app.storage.engine import make_engine  # noqa: E402
from app.storage.handover_models import PendingRevocation  # noqa: E402
from app.storage.sync_models import AUTHORITY_OWNER, OutboxBatch, SealedKey, SigningKey  # noqa: E402
from app.storage.vault import Vault  # noqa: E402
from app.sync import keys  # noqa: E402
from app.sync.batch import BatchItem, build_batch  # noqa: E402
from app.sync.certificates import issue_certificate  # noqa: E402
from app.sync.envelope import seal  # noqa: E402
from app.sync.transport_http import BatchRefused, HttpTransport  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import LURAH_PASS, OPERATOR_PASS  # noqa: E402
from tests.fakes.sync_world import nik, queue_ready  # noqa: E402


def _raw(ctx, owner: str, purpose: str) -> tuple[bytes, bytes]:
    with ctx.reading() as session:
        public = session.scalars(select(SigningKey.public_key).where(SigningKey.owner == owner,
                                                                     SigningKey.active.is_(True))).one()
        return office_keys.open_in(ctx, session, owner=owner, purpose=purpose, public=public), public


def _back_to_clear_keys(folder, clear: dict[bytes, bytes]) -> None:
    """Put the database back to revision 0006 with every private key in clear, as 0.x releases kept it."""
    vault = Vault.load(folder)
    data_key = vault.unlock_operator(vault.operators()[0][0], LURAH_PASS)
    engine = make_engine(vault.database_path, data_key)
    try:
        migrate.downgrade(engine, "0006")
        with engine.begin() as conn:
            for public, raw in clear.items():
                conn.execute(text("UPDATE signing_key SET private_key = :raw WHERE public_key = :pub"),
                             {"raw": raw, "pub": public})
    finally:
        engine.dispose()


def test_a_bound_office_migrates_reissues_and_dinsos_refuses_the_old_keys(server, office, lurah, created_office):
    server_ctx, url = server
    folder, created = created_office
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(lurah, document)
    provisioning.bind(lurah, transport)
    office_keys.certify_operator(lurah, office.operator_id)

    # Before: one batch at Dinsos (sequence 1), one SPTJM batch waiting for the Lurah (sequence 2).
    queue_ready(office, 81)
    outbox.build_batches(office)
    assert sync.send_pending(office, transport, now=utcnow()).delivered
    queue_ready(office, 82, route="sptjm")
    [waiting] = outbox.build_batches(office)
    with office.reading() as session:
        assert session.get(OutboxBatch, waiting).state == outbox.AWAITING
        old_cert = office_keys.certificate_in(office, session)
        office_id = office_keys.server_office_id(session)
        enc = outbox.encryption_key(session)
    old_authority, old_authority_pub = _raw(lurah, AUTHORITY_OWNER, sealed.AUTHORITY)
    old_ani, old_ani_pub = _raw(office, office.operator_id, sealed.SIGNING)
    office.close()
    lurah.close()
    _back_to_clear_keys(folder, {old_authority_pub: old_authority, old_ani_pub: old_ani})

    ani = open_office(folder, created.operator_id, OPERATOR_PASS)  # revision 0008 runs here
    try:
        with ani.reading() as session:
            columns = {c["name"] for c in inspect(session.connection()).get_columns("signing_key")}
            assert "private_key" not in columns
            active = dict(session.execute(select(SigningKey.owner, SigningKey.public_key)
                                          .where(SigningKey.active.is_(True))).all())
            assert active[AUTHORITY_OWNER] != old_authority_pub and active[ani.operator_id] != old_ani_pub
            # The new authority key is sealed to the Lurah's slot and to the recovery slot.
            assert session.scalar(select(func.count()).select_from(SealedKey).where(
                SealedKey.public_key == active[AUTHORITY_OWNER])) == 2
            new_cert = office_keys.certificate_in(ani, session)
            assert new_cert.public_key == active[ani.operator_id] and new_cert.cert_id != old_cert.cert_id
            pending = session.scalars(select(PendingRevocation)).all()
            assert {p.effective_after_sequence for p in pending} == {1}
            # The SPTJM batch the old keys signed but Dinsos never saw is released, not lost.
            assert session.get(OutboxBatch, waiting) is None
        raw_file = (folder / Vault.load(folder).database_path.name).read_bytes()
        assert old_ani not in raw_file and old_authority not in raw_file

        made = outbox.build_batches(ani)
        assert len(made) == 2  # the hand-over + revocation + muskel work, then the SPTJM batch
    finally:
        ani.close()
    lurah2 = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        assert factories.countersign_all(lurah2)
        report = sync.send_pending(lurah2, transport, now=utcnow())
        assert len(report.delivered) == 2 and not report.rejected
    finally:
        lurah2.close()

    with server_ctx.reading() as session:
        server_office = session.get(ServerOffice, office_id)
        assert server_office.authority_public_key == active[AUTHORITY_OWNER]
        stored = session.scalars(select(StoredRevocation)).all()
        assert [(r.cert_id, r.effective_after_sequence) for r in stored] == [(old_cert.cert_id, 1)]
        assert session.scalar(select(func.count()).select_from(Item)) == 2
        last = server_office.last_sequence
        last_hash = server_office.last_batch_hash

    # Whoever copied the old keys (from the database before, or a backup) forges nothing now.
    now = utcnow().replace(microsecond=0)
    ghost = keys.generate_ed25519()
    ghost_cert = issue_certificate(
        keys.ed25519_private_from_bytes(old_authority), cert_id=str(uuid.uuid4()), office_id=office_id,
        operator_id=str(uuid.uuid4()), name="Hantu", role="operator", public_key=keys.public_bytes(ghost.public_key()),
        valid_from=now, valid_until=now + timedelta(days=30), issued_at=now)
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", payload={"kind": "baru", "nik": nik(83)})
    for cert, signer in ((ghost_cert, ghost), (old_cert, keys.ed25519_private_from_bytes(old_ani))):
        batch = build_batch(office_id=office_id, sequence=last + 1, prev_batch_hash=last_hash,
                            operator_certificate=cert, items=[item], created_at=now).sign_operator(signer)
        with pytest.raises(BatchRefused) as refused:
            transport.post_batch(seal(batch.to_bytes(), enc, batch_id=batch.batch_id, office_id=office_id))
        assert refused.value.reason == "bad_certificate"
