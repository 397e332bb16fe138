"""The office against the real Dinsos server over loopback HTTP: provision, bind, send, statuses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from app.clock import utcnow  # noqa: E402
from app.server import auth, review  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import keys as office_keys  # noqa: E402
from app.services import outbox, provisioning, status_feed, sync  # noqa: E402
from app.storage.models import Office, Proposal, ProposalTransition  # noqa: E402
from app.storage.sync_models import OutboxBatch  # noqa: E402
from app.sync.transport_http import BatchRefused, HttpTransport  # noqa: E402
from tests.fakes.sync_world import queue_ready  # noqa: E402

PASSWORD = "kata sandi verifikator dinsos"


def test_end_to_end_over_http(server, office, lurah):
    ctx, url = server
    document = register_office(ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))

    provisioning.import_provisioning(lurah, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(lurah, transport)
    office_keys.certify_operator(lurah, office.operator_id)
    with office.reading() as session:
        assert session.get(Office, office.office_id).server_url == url
    # The enrolment code works once.
    with pytest.raises(provisioning.AlreadyBound):
        provisioning.bind(lurah, transport)

    returned_id, verified_id = queue_ready(office, 51, 52)
    outbox.build_batches(office)
    report = sync.send_pending(office, transport, now=utcnow())
    with office.reading() as session:
        batch = session.scalars(select(OutboxBatch)).one()
        assert batch.state == "delivered"
        assert [session.get(Proposal, i).state for i in (returned_id, verified_id)] == ["received", "received"]
    assert report.delivered == [batch.batch_id]

    # A resend after a lost receipt gets the same stored receipt.
    assert transport.post_batch(batch.sealed) == sync.receipt_of(office, batch.batch_id)

    auth.add_staff(ctx, username="vera", password=PASSWORD, role="verifier")
    vera = auth.authenticate(ctx, auth.login(ctx, "vera", PASSWORD))
    review.decide(ctx, vera, returned_id, "return", [review.Reason("kk_tidak_terbaca", "Foto KK buram.")])
    review.decide(ctx, vera, verified_id, "verify")

    pulled = status_feed.pull_statuses(office, transport)
    assert (pulled.applied, pulled.cursor) == (2, 2)
    with office.reading() as session:
        back = session.get(Proposal, returned_id)
        assert back.state == "returned" and back.assigned_to == office.operator_id
        reason = session.scalars(select(ProposalTransition.reason).where(
            ProposalTransition.proposal_id == returned_id).order_by(ProposalTransition.id.desc())).first()
        assert "Foto KK buram." in reason
        assert session.get(Proposal, verified_id).state == "verified"
    # Nothing new: the stored cursor asks only for later updates.
    assert status_feed.pull_statuses(office, transport).applied == 0


def test_a_batch_the_server_cannot_place_is_refused_with_its_reason(server):
    _ctx, url = server
    with pytest.raises(BatchRefused) as caught:
        HttpTransport(url).post_batch(b"USLKBAT1" + b"\0" * 40)
    assert caught.value.reason in {"truncated", "damaged"}


def test_a_batch_posted_before_a_crash_is_delivered_by_the_next_run(server, office, lurah):
    ctx, url = server
    document = register_office(ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(lurah, document)
    provisioning.bind(lurah, transport)
    office_keys.certify_operator(lurah, office.operator_id)
    queue_ready(office, 53)
    outbox.build_batches(office)
    with office.reading() as session:
        sealed = session.scalars(select(OutboxBatch.sealed)).one()
    transport.post_batch(sealed)  # Dinsos has it; the office died before recording the receipt
    report = sync.send_pending(office, transport, now=utcnow())
    assert len(report.delivered) == 1
    with office.reading() as session:
        assert session.scalars(select(OutboxBatch.state)).one() == "delivered"
