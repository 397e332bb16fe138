"""An operator with the office open tries every table and code path to sign as someone else.

Issue #10: every private key stood in the shared database, so an ordinary operator forged a
certificate for a ghost operator and the Lurah's countersignature. Now each key is sealed to its
owner's keyslot. These tests are the attacker: they read every cell of every table, flip their
own session to "the Lurah", copy sealed blobs to their own slot, plant keys of their own, and
send what they can forge to the real Dinsos server, which must refuse it.
"""

from __future__ import annotations

from tests import factories
import base64
import binascii
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text

pytest.importorskip("fastapi")

from app.clock import utcnow  # noqa: E402
from app.server.models import Item  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import keys as office_keys  # noqa: E402
from app.services import operators, outbox, provisioning, sync, totp  # noqa: E402
from app.services.office import open_office  # noqa: E402
from app.storage import sealed  # noqa: E402
from app.storage.sync_models import AUTHORITY_OWNER, SealedKey, SigningKey  # noqa: E402
from app.sync import keys  # noqa: E402
from app.sync.batch import BatchItem, build_batch  # noqa: E402
from app.sync.certificates import issue_certificate  # noqa: E402
from app.sync.envelope import seal  # noqa: E402
from app.sync.transport_http import BatchRefused, HttpTransport  # noqa: E402
from tests.conftest import LURAH_PASS  # noqa: E402
from tests.fakes.sync_world import nik, queue_ready  # noqa: E402

B_PASS = "budi menanam jagung di sawah"


@pytest.fixture
def world(server, office, lurah, fast_kdf):
    """A linked office: the Lurah, Ani (the attacker, signed in) and Budi (the victim), certified."""
    server_ctx, url = server
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(lurah, document)
    provisioning.bind(lurah, transport)
    office_keys.certify_operator(lurah, office.operator_id)
    budi = operators.enrol_operator(lurah, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah, "enrol"), kdf=fast_kdf)
    with lurah.reading() as session:
        victims = {
            "authority": office_keys.authority_key_in(lurah, session).public_key,
            "lurah": session.scalars(select(SigningKey.public_key).where(SigningKey.owner == lurah.operator_id)).one(),
            "budi": session.scalars(select(SigningKey.public_key).where(SigningKey.owner == budi.operator_id)).one(),
        }
    return server_ctx, transport, budi.operator_id, victims


def _candidates(value) -> list[bytes]:
    """Every 32-byte string a cell could hide a private key in: raw, any window, base64, hex."""
    if value is None or isinstance(value, int | float):
        return []
    if isinstance(value, str):
        raw = value.encode("utf-8")
        found = []
        for token in value.replace('"', " ").replace(",", " ").replace(":", " ").split():
            for decode in (base64.b64decode, base64.urlsafe_b64decode, binascii.unhexlify):
                try:
                    found.append(decode(token + "=" * (-len(token) % 4)) if decode is not binascii.unhexlify
                                 else decode(token))
                except (ValueError, binascii.Error):
                    pass
        return [w for blob in [raw, *found] for w in _windows(blob)]
    if isinstance(value, bytes | memoryview):
        return _windows(bytes(value))
    return _candidates(str(value))


def _windows(blob: bytes) -> list[bytes]:
    return [blob[i:i + 32] for i in range(0, max(len(blob) - 31, 0))]


def test_no_cell_of_any_table_holds_a_private_key_of_another_person(world, office):
    _server, _transport, _budi, victims = world
    wanted = set(victims.values())
    seen = 0
    with office.reading() as session:
        tables = inspect(session.connection()).get_table_names()
        for table in tables:
            if table.startswith("member_name_fts"):
                continue
            for row in session.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    for candidate in _candidates(value):
                        seen += 1
                        public = keys.public_bytes(keys.ed25519_private_from_bytes(candidate).public_key())
                        assert public not in wanted, f"a private key sits in clear in table {table}"
    assert seen > 1000  # the scan did look at something


def test_pretending_to_be_the_lurah_or_budi_opens_no_key(world, office, lurah):
    _server, _transport, budi_id, _victims = world
    # Everything in the context is the attacker's to set: role, id, even the slot key's label.
    office.operator_role = "lurah"
    with office.reading() as session:
        with pytest.raises(office_keys.KeyNotAvailable):
            office_keys.authority_signer(office, session)
        for who in (budi_id, lurah.operator_id):
            office.operator_id = who
            with pytest.raises(office_keys.KeyNotAvailable):
                office_keys.signer_in(office, session)
    # The slot key says whose slot it is, but relabelling it opens nothing either.
    forged = replace(office.slot_key, slot_id=_slot_of(office, budi_id), operator_id=budi_id)
    office.slot_key = forged
    with office.reading() as session:
        with pytest.raises(office_keys.KeyNotAvailable):
            office_keys.signer_in(office, session)


def _slot_of(ctx, operator_id: str) -> str:
    return ctx.vault.operator_slot(operator_id)[0]


def test_copying_sealed_blobs_to_my_own_slot_opens_nothing(world, office):
    _server, _transport, budi_id, _victims = world
    mine = office.slot_key.slot_id
    with office.transaction() as session:
        for row in session.scalars(select(SealedKey).where(SealedKey.owner.in_([budi_id, AUTHORITY_OWNER]))).all():
            session.add(SealedKey(owner=row.owner, purpose=row.purpose, public_key=row.public_key, slot_id=mine,
                                  blob=row.blob, created_at=row.created_at))
    office.operator_role = "lurah"
    with office.reading() as session:
        with pytest.raises(office_keys.KeyNotAvailable):
            office_keys.authority_signer(office, session)
        office.operator_id = budi_id
        with pytest.raises(office_keys.KeyNotAvailable):
            office_keys.signer_in(office, session)


def test_the_lurahs_totp_secret_is_not_readable_by_an_operator(world, office, lurah):
    pending = totp.start_enrolment(lurah)
    totp.confirm_enrolment(lurah, pending, totp.code_at(pending.secret, lurah.clock()))
    with office.reading() as session:
        for table in inspect(session.connection()).get_table_names():
            for row in session.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        assert pending.secret not in bytes(value), f"the TOTP secret is in clear in {table}"
    office.operator_id, office.operator_role = lurah.operator_id, "lurah"
    with office.transaction() as session, pytest.raises(office_keys.KeyNotAvailable):
        totp.check_in(office, session, totp.code_at(pending.secret, lurah.clock() + timedelta(seconds=30)))


def test_what_an_insider_can_forge_the_server_refuses(world, office, lurah):
    """A planted authority key of the attacker's own certifies a ghost and countersigns: Dinsos says no."""
    server_ctx, transport, _budi, victims = world
    queue_ready(office, 71)
    outbox.build_batches(office)
    assert sync.send_pending(office, transport, now=utcnow()).delivered
    with office.reading() as session:
        office_id = office_keys.server_office_id(session)
        key = outbox.encryption_key(session)
        last = session.scalars(select(outbox.OutboxBatch).order_by(outbox.OutboxBatch.sequence.desc())).first()
        real_cert = office_keys.certificate_in(office, session)
    items_before = _items(server_ctx)

    # The attacker's best: a key of her own, planted as "the authority key" and sealed to her slot.
    fake_authority = keys.generate_ed25519()
    fake_public = keys.public_bytes(fake_authority.public_key())
    slot = office.slot_key
    with office.transaction() as session:
        session.add(SigningKey(owner=AUTHORITY_OWNER, role="lurah", public_key=fake_public, active=True,
                               created_at=office_keys.now_seconds(office)))
        office_keys.seal_in(session, office.office_id, owner=AUTHORITY_OWNER, purpose=sealed.AUTHORITY,
                            secret=keys.private_bytes(fake_authority), public=fake_public, slot_id=slot.slot_id,
                            slot_public=slot.public_key, now=office_keys.now_seconds(office))
    assert fake_public != victims["authority"]

    now = office_keys.now_seconds(office)
    ghost_key = keys.generate_ed25519()
    ghost_cert = issue_certificate(
        fake_authority, cert_id=str(uuid.uuid4()), office_id=office_id, operator_id=str(uuid.uuid4()),
        name="Hantu", role="operator", public_key=keys.public_bytes(ghost_key.public_key()),
        valid_from=now, valid_until=now + timedelta(days=30), issued_at=now,
    )
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", payload={"kind": "baru", "nik": nik(72)})
    attempts = {
        "bad_certificate": build_batch(office_id=office_id, sequence=last.sequence + 1, prev_batch_hash=last.batch_hash,
                                       operator_certificate=ghost_cert, items=[item], created_at=now)
        .sign_operator(ghost_key),
    }
    # Her own real certificate, with "the Lurah's" SPTJM countersignature from the planted key.
    sptjm = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="sptjm",
                             payload={"kind": "baru", "nik": nik(73)})
    with office.reading() as session:
        own = office_keys.signer_in(office, session)
    attempts["bad_countersignature"] = build_batch(
        office_id=office_id, sequence=last.sequence + 1, prev_batch_hash=last.batch_hash,
        operator_certificate=real_cert, items=[sptjm], created_at=now,
    ).sign_operator(own).countersign(fake_authority)
    for reason, batch in attempts.items():
        with pytest.raises(BatchRefused) as refused:
            transport.post_batch(seal(batch.to_bytes(), key, batch_id=batch.batch_id, office_id=office_id))
        assert refused.value.reason == reason
    assert _items(server_ctx) == items_before


def _items(server_ctx) -> int:
    with server_ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(Item))


def test_a_key_planted_for_the_lurahs_slot_is_never_the_one_the_lurah_binds_or_signs_with(
        server, office, lurah, created_office):
    """Before the bind, an operator plants "the authority key" sealed to the Lurah's (public) slot key.

    HPKE lets anyone seal to a public key; without the tag only the slot's owner can make, the
    Lurah's session passes the planted row over, so Dinsos binds the real key, not hers.
    """
    server_ctx, url = server
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    provisioning.import_provisioning(lurah, document)
    with lurah.reading() as session:
        real = office_keys.authority_key_in(lurah, session).public_key

    planted = keys.generate_ed25519()
    planted_public = keys.public_bytes(planted.public_key())
    lurah_slot_id, lurah_slot_public = office.vault.operator_slot(lurah.operator_id)
    now = office_keys.now_seconds(office)
    with office.transaction() as session:
        session.add(SigningKey(owner=AUTHORITY_OWNER, role="lurah", public_key=planted_public, active=True,
                               created_at=now))
        for tag in (None, b"\0" * 32, office.slot_key.tag(b"x", office_id=office.office_id, owner=AUTHORITY_OWNER,
                                                          purpose=sealed.AUTHORITY, public=planted_public)):
            blob = sealed.seal(keys.private_bytes(planted), lurah_slot_public, office_id=office.office_id,
                               owner=AUTHORITY_OWNER, purpose=sealed.AUTHORITY, slot_id=lurah_slot_id,
                               public=planted_public)
            session.add(SealedKey(owner=AUTHORITY_OWNER, purpose=sealed.AUTHORITY, public_key=planted_public,
                                  slot_id=lurah_slot_id, blob=blob, tag=tag, created_at=now))
    # Even a fresh session of the Lurah (which adopts untagged blobs only when it has none) ignores it.
    lurah.close()
    folder, created = created_office
    again = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        with again.reading() as session:
            assert office_keys.authority_key_in(again, session).public_key == real
            assert office_keys.authority_signer(again, session).public_key_bytes == real
        provisioning.bind(again, HttpTransport(url, timeout=(2, 10)))
    finally:
        again.close()
    with server_ctx.reading() as session:
        from app.server.models import Office as ServerOffice

        assert session.get(ServerOffice, document["office_id"]).authority_public_key == real


def test_the_recovery_code_opens_the_authority_key_but_not_the_totp_secret(office, lurah, created_office):
    from app.services.office import open_office_with_recovery

    folder, created = created_office
    pending = totp.start_enrolment(lurah)
    totp.confirm_enrolment(lurah, pending, totp.code_at(pending.secret, lurah.clock()))
    with lurah.reading() as session:
        real = office_keys.authority_key_in(lurah, session).public_key
    recovered = open_office_with_recovery(folder, created.recovery_code)
    try:
        with recovered.reading() as session:
            assert office_keys.authority_signer(recovered, session).public_key_bytes == real
        with recovered.transaction() as session, pytest.raises(office_keys.KeyNotAvailable):
            totp.check_in(recovered, session, totp.code_at(pending.secret, lurah.clock() + timedelta(seconds=30)))
    finally:
        recovered.close()


def test_a_key_planted_for_another_person_is_never_certified(server, office, lurah, fast_kdf):
    """Budi is enrolled before the office is linked; Ani adds a "newer" key row for him before the Lurah certifies."""
    server_ctx, url = server
    budi = operators.enrol_operator(lurah, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah, "enrol"), kdf=fast_kdf)
    with lurah.reading() as session:
        real = session.scalars(select(SigningKey.public_key).where(SigningKey.owner == budi.operator_id)).one()
    planted = keys.public_bytes(keys.generate_ed25519().public_key())
    with office.transaction() as session:
        session.add(SigningKey(owner=budi.operator_id, role="operator", public_key=planted, active=True,
                               created_at=office_keys.now_seconds(office)))
        # Her own tag proves only that she made it, in her slot.
        session.add(SealedKey(owner=budi.operator_id, purpose=sealed.VOUCHED, public_key=planted,
                              slot_id=office.slot_key.slot_id, blob=b"", created_at=office_keys.now_seconds(office),
                              tag=office.slot_key.tag(b"", office_id=office.office_id, owner=budi.operator_id,
                                                      purpose=sealed.VOUCHED, public=planted)))
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    provisioning.import_provisioning(lurah, document)
    provisioning.bind(lurah, HttpTransport(url, timeout=(2, 10)))
    cert = operators.certify_pending(lurah, budi.operator_id)
    assert cert.public_key == real != planted
