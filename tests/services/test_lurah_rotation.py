"""The Lurah renews her authority key: the old key hands over at a boundary, operators are re-certified in one step.

Against a real Dinsos server on loopback: the re-certified operator's next batch is accepted,
the old authority key (and its certificates) is refused after the boundary, the batches sent
before it still verify. Hostile first: an operator's session and a missing authenticator code
start nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.server.batch_audit import verify_stored_batches
from app.server.ingest import ingest
from app.server.models import Office as ServerOffice
from app.server.provisioning import register_office
from app.services import keys as office_keys
from app.services import lurah, lurah_change, outbox, provisioning, sync, totp
from app.storage.lurah_models import LurahChange
from app.storage.models import AuditEntry
from app.storage.sync_models import OutboxBatch, SyncLink
from app.sync import keys
from app.sync.batch import build_batch
from app.sync.envelope import seal
from app.sync.errors import BatchRejected
from app.sync.transport_http import HttpTransport
from tests import factories
from tests.fakes.sync_world import queue_ready


def _linked(server_ctx, url, chief, office):
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(chief, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(chief, transport)
    office_keys.certify_operator(chief, office.operator_id)
    return document["office_id"], transport


def _send(office, transport):
    outbox.build_batches(office)
    return sync.send_pending(office, transport, now=utcnow())


def _server_key(server_ctx, office_id) -> bytes:
    with server_ctx.reading() as session:
        return session.get(ServerOffice, office_id).authority_public_key


def test_an_operator_session_cannot_rotate_and_nothing_changes(chief, office, fast_kdf):
    before = office_keys.ensure_authority_key(chief)
    for forged in (None, object()):
        with pytest.raises(lurah.ConfirmationRefused):
            lurah_change.rotate_authority(office, confirmation=forged, kdf=fast_kdf)
    # An approval for another step (or another subject) approves no rotation either.
    with pytest.raises(lurah.ConfirmationRefused):
        lurah_change.rotate_authority(chief, confirmation=factories.approve(chief, "rotate", "someone"),
                                      kdf=fast_kdf)
    assert office_keys.ensure_authority_key(chief) == before


def test_rotation_is_refused_without_the_authenticator_code_when_enrolled(chief, fast_kdf):
    moment = [chief.clock().replace(microsecond=0)]
    chief.clock = lambda: moment[0]
    pending = totp.start_enrolment(chief)
    totp.confirm_enrolment(chief, pending, totp.code_at(pending.secret, moment[0]))
    moment[0] += timedelta(seconds=30)
    before = office_keys.ensure_authority_key(chief)
    with pytest.raises(totp.TotpCodeMissing):
        factories.approve(chief, "rotate", lurah_change.SUBJECT)
    assert office_keys.ensure_authority_key(chief) == before
    done = lurah_change.rotate_authority(chief, kdf=fast_kdf, confirmation=factories.approve(
        chief, "rotate", lurah_change.SUBJECT, totp_code=totp.code_at(pending.secret, moment[0])))
    assert keys.fingerprint(office_keys.ensure_authority_key(chief)) == done.new_fingerprint != keys.fingerprint(before)


def test_rotation_hands_over_at_the_boundary_and_the_server_refuses_the_old_key(server, chief, office, fast_kdf):
    server_ctx, url = server
    office_id, transport = _linked(server_ctx, url, chief, office)
    queue_ready(office, 61)
    assert len(_send(office, transport).delivered) == 1  # sequence 1, under the old key
    old_key = office_keys.ensure_authority_key(chief)
    old_cert = office_keys.current_certificate(office)

    done = lurah_change.rotate_authority(chief, kdf=fast_kdf, confirmation=factories.approve(
        chief, "rotate", lurah_change.SUBJECT))
    assert done.boundary == 1 and done.recertified == (office.operator_id,)
    assert len(done.recovery_code) > 10
    new_key = office_keys.ensure_authority_key(chief)
    assert new_key != old_key and _server_key(server_ctx, office_id) == old_key  # nothing sent yet
    assert office_keys.current_certificate(office).public_key == old_cert.public_key  # same operator key

    # The operator's next batch carries the hand-over and is accepted by the real server.
    queue_ready(office, 62)
    report = _send(office, transport)
    assert len(report.delivered) == 1
    assert _server_key(server_ctx, office_id) == new_key
    with office.reading() as session:
        assert [b.state for b in session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence))] == \
            ["delivered", "delivered"]
        change = session.scalars(select(LurahChange)).one()
        assert (change.kind, change.state, change.recovery_due) == ("rotate", "done", False)
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "lurah.rotate" in actions and "lurah.recovery_renewed" in actions

    # After the boundary the old certificate (by the old key) signs nothing Dinsos accepts.
    with office.reading() as session:
        last = session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence.desc())).first()
        link = session.get(SyncLink, 1)
        forged = build_batch(office_id=link.server_office_id, sequence=last.sequence + 1,
                             prev_batch_hash=last.batch_hash, operator_certificate=old_cert,
                             items=[outbox._audit_head_item(session)[0]],
                             created_at=utcnow().replace(microsecond=0)).sign_operator(office_keys.signer_in(office,
                                                                                                             session))
    data = forged.to_bytes()
    with pytest.raises(BatchRejected) as refused:
        ingest(server_ctx, seal(data, keys.public_bytes(server_ctx.keys.x25519.public_key()),
                                batch_id=forged.batch_id, office_id=forged.office_id))
    assert refused.value.reason == "bad_certificate"
    # The batch sent before the boundary still verifies, against the key of its time.
    audit = verify_stored_batches(server_ctx, office_id)
    assert audit.ok and audit.batches == 2


def test_the_old_recovery_code_no_longer_opens_the_authority_key(chief, created_office, fast_kdf):
    from app.services.office import open_office_with_recovery
    from app.storage.vault import WrongRecoveryCode

    folder, created = created_office
    done = lurah_change.rotate_authority(chief, kdf=fast_kdf, confirmation=factories.approve(
        chief, "rotate", lurah_change.SUBJECT))
    with pytest.raises(WrongRecoveryCode):
        open_office_with_recovery(folder, created.recovery_code)
    recovered = open_office_with_recovery(folder, done.recovery_code)
    try:
        assert office_keys.ensure_authority_key(recovered) == office_keys.ensure_authority_key(chief)
        with recovered.reading() as session:
            office_keys.authority_signer(recovered, session)  # opens with the new recovery code
    finally:
        recovered.close()
