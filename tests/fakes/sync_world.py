"""The office sync tests' world: a fake Dinsos, ready proposals, linking an office (fixtures in tests/conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.domain import workflow
from app.services import attachments, keys as office_keys, outbox, proposal_io, proposals, provisioning
from app.sync import keys
from app.sync.batch import verify_batch
from app.sync.canonical import b64url_encode
from app.sync.certificates import issue_dinsos_key
from app.sync.envelope import open_envelope
from app.sync.receipt import receipt_for
from app.sync.status import issue_status, issue_status_page
from app.sync.transport_http import BatchRefused, ServerUnreachable
from tests import factories
from tests.conftest import LURAH_PASS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SERVER_OFFICE_ID = "7d4c1e2a-9b3f-4a5e-8c6d-0f1e2d3c4b5a"
ENROLMENT = "ABCDE-FGHJK-LMNPQ-RSTUV"


def nik(n: int) -> str:
    """A well-formed NIK of Kota Pasuruan (female, born 07-08-1985), serial ``n``."""
    return f"357503470885{n:04d}"


def ready_proposal(ctx, n: int, *, route: str = "muskel") -> str:
    """A usulan baru with its own NIK, taken to READY by muskel or SPTJM; returns its id."""
    data = factories.household_with([nik(n)])
    summary = proposals.add_proposal(ctx, proposal_io.proposal_from_dict(data))
    if route == "muskel":
        proposals.apply_action(ctx, summary.id, workflow.Action.SEND_TO_MUSKEL)
        doc = attachments.attach_to_proposal(ctx, summary.id, kind="muskel_minutes", filename="ba.pdf", data=PDF)
        proposals.apply_action(ctx, summary.id, workflow.Action.RECORD_MUSKEL_DECISION,
                               data={"decision": "eligible", "minutes_attachment_id": doc.id})
    else:
        proposals.apply_action(ctx, summary.id, workflow.Action.SEND_TO_SPTJM)
        doc = attachments.attach_to_proposal(ctx, summary.id, kind="sptjm", filename="sptjm.pdf", data=PDF)
        factories.record_sptjm(ctx, summary.id, doc.id, LURAH_PASS)
    return summary.id


def waiting_for_sptjm(ctx, n: int = 1) -> tuple[str, str]:
    """A usulan baru at the SPTJM step with its signed SPTJM attached: (proposal id, attachment id)."""
    data = factories.household_with([f"357503470885{n:04d}"])
    summary = proposals.add_proposal(ctx, proposal_io.proposal_from_dict(data))
    proposals.apply_action(ctx, summary.id, workflow.Action.SEND_TO_SPTJM)
    doc = attachments.attach_to_proposal(ctx, summary.id, kind="sptjm", filename="sptjm.pdf", data=PDF)
    return summary.id, doc.id


@dataclass
class FakeDinsos:
    """Dinsos's keys and the checks its server makes, in memory: the office cannot tell the difference."""

    root: object = field(default_factory=keys.generate_ed25519)
    server: object = field(default_factory=keys.generate_ed25519)
    x25519: object = field(default_factory=keys.generate_x25519)
    authority: bytes | None = None
    feed_token: str | None = None
    heads: list = field(default_factory=list)
    last_sequence: int = 0
    last_hash: str | None = None
    receipts: dict = field(default_factory=dict)
    statuses: list = field(default_factory=list)
    cursor: int = 0
    posts: int = 0
    fail_next: int = 0
    bad_receipts: bool = False

    def cert(self, purpose: str, public, root=None):
        now = datetime.now(UTC).replace(microsecond=0)
        return json.loads(issue_dinsos_key(root or self.root, purpose=purpose, public_key=keys.public_bytes(public),
                                           valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=3650),
                                           issued_at=now - timedelta(days=1)).to_bytes())

    def document(self, **changes) -> dict:
        """A provisioning document signed by this Dinsos root; ``changes`` are applied before signing."""
        from app.sync.bind import sign_provisioning

        root = keys.public_bytes(self.root.public_key())
        doc = {
            "format": "usulkan-provisioning", "format_version": 2, "server_url": "http://127.0.0.1:9",
            "office_id": SERVER_OFFICE_ID, "office_name": "Kelurahan Bugul Kidul", "village_code": "35.75.03.1009",
            "dinsos_root_public_key": b64url_encode(root), "dinsos_root_fingerprint": keys.fingerprint(root),
            "server_signing_certificate": self.cert("server_signing", self.server.public_key()),
            "batch_encryption_certificate": self.cert("batch_encryption", self.x25519.public_key()),
            "enrolment_code": ENROLMENT,
        }
        return sign_provisioning(self.root, {**doc, **changes})

    # --- the transport interface -------------------------------------------------------
    def bind(self, office_id: str, request: bytes) -> bytes:
        from app.sync.bind import issue_bind_answer, open_bind_request

        opened = open_bind_request(request, self.x25519)
        assert opened.request.office_id == office_id and opened.request.enrolment_code == ENROLMENT
        self.authority, self.feed_token = opened.request.authority_public_key, opened.request.feed_token
        return issue_bind_answer(self.server, opened, bound_at=datetime.now(UTC)).to_bytes()

    def post_batch(self, sealed: bytes) -> dict:
        self.posts += 1
        if self.fail_next:
            self.fail_next -= 1
            raise ServerUnreachable()
        plain = open_envelope(sealed, self.x25519)
        from app.sync.batch import batch_hash

        digest = batch_hash(plain)
        if digest in self.receipts:
            return self.receipts[digest]
        verified = verify_batch(plain, authority_public_key=self.authority, now=datetime.now(UTC),
                                expected_sequence=self.last_sequence + 1,
                                expected_prev_hash=self.last_hash or "0" * 64)
        signer = keys.generate_ed25519() if self.bad_receipts else self.server
        receipt = json.loads(receipt_for(signer, verified, received_at=datetime.now(UTC).replace(microsecond=0))
                             .to_bytes())
        if not self.bad_receipts:
            self.last_sequence, self.last_hash = verified.batch.sequence, verified.batch_hash
            self.receipts[digest] = receipt
            from app.sync.chain import Head, read_head_payload

            for item in verified.batch.items:
                head = read_head_payload(item.payload) if item.item_type == "audit_head" else None
                if head is not None:
                    self.heads.append(Head(head[0], head[1], batch_sequence=verified.batch.sequence))
        return receipt

    def decide(self, item_id: str, state: str, reasons=()):
        self.cursor += 1
        self.statuses.append(issue_status(
            self.server, feed_cursor=self.cursor, office_id=SERVER_OFFICE_ID, item_id=item_id, tracking_code=None,
            state=state, reasons=list(reasons), decided_by_role="verifier",
            decided_at=datetime.now(UTC).replace(microsecond=0),
        ))

    def get_audit_heads(self, office_id: str, token: str) -> bytes:
        from app.sync.audit_heads import issue_audit_heads

        assert token == self.feed_token
        return issue_audit_heads(self.server, office_id=office_id, heads=self.heads,
                                 issued_at=datetime.now(UTC))

    def get_statuses(self, office_id: str, after: int, token: str) -> dict:
        assert token == self.feed_token
        updates = [u for u in self.statuses if u.feed_cursor > after]
        page = issue_status_page(self.server, office_id=office_id, cursor_from=after,
                                 cursor_to=updates[-1].feed_cursor if updates else after, updates=updates)
        return json.loads(page.to_bytes())


class Refusing:
    """A server that refuses every batch with ``reason``."""

    def __init__(self, reason: str):
        self.reason = reason

    def post_batch(self, sealed: bytes) -> dict:
        raise BatchRefused(self.reason, "")


def link_office(lurah_ctx, operator_ctx, transport, document: dict) -> None:
    """Provision, bind and certify the operator: what the Lurah does once per office."""
    provisioning.import_provisioning(lurah_ctx, document)
    provisioning.bind(lurah_ctx, transport)
    office_keys.certify_operator(lurah_ctx, operator_ctx.operator_id)


def queue_ready(ctx, *numbers: int, route: str = "muskel") -> list[str]:
    ids = [ready_proposal(ctx, n, route=route) for n in numbers]
    for pid in ids:
        outbox.queue_proposal(ctx, pid)
    return ids
