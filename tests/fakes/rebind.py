"""An office linked to a real server over HTTP with one batch delivered, and what that server then holds for it."""

from __future__ import annotations

from app.clock import utcnow
from app.server.models import Office as ServerOffice
from app.server.provisioning import register_office
from app.services import keys as office_keys
from app.services import outbox, provisioning, sync
from app.sync.transport_http import HttpTransport
from tests.fakes.sync_world import queue_ready


def link_and_send(server_ctx, url, chief, office):
    """Register, provision and bind over HTTP, certify the operator and deliver one batch: (office id, transport)."""
    document = register_office(server_ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = HttpTransport(url, timeout=(2, 10))
    provisioning.import_provisioning(chief, document, root_fingerprint=document["dinsos_root_fingerprint"])
    provisioning.bind(chief, transport)
    office_keys.certify_operator(chief, office.operator_id)
    queue_ready(office, 71)
    outbox.build_batches(office)
    assert len(sync.send_pending(office, transport, now=utcnow()).delivered) == 1
    return document["office_id"], transport


def server_state(server_ctx, office_id):
    """What Dinsos holds for the office: (authority key, feed token hash, last sequence)."""
    with server_ctx.reading() as session:
        row = session.get(ServerOffice, office_id)
        return row.authority_public_key, row.feed_token_hash, row.last_sequence
