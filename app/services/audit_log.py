"""Checking the office audit log, for `usulkan audit verify` and the settings screen.

Besides the chain and every signature, the check takes the audit heads this office sent to
Dinsos inside its batches: only batches Dinsos receipted count (the receipt is signed by the
certified server key and names the batch's hash), so the heads are evidence the office cannot
rewrite. Every such head must still be in the chain with the same hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.storage import audit
from app.storage.sync_models import DinsosKey, OutboxBatch
from app.sync import chain
from app.sync.batch import batch_hash, load_batch
from app.sync.errors import SyncError
from app.sync.receipt import Receipt, verify_receipt
from app.services.outbox import AUDIT_HEAD_ITEM


@dataclass(frozen=True)
class SentHeads:
    heads: tuple[chain.Head, ...]
    # Delivered batches whose stored receipt or bytes no longer check: evidence someone changed.
    damaged_batches: tuple[int, ...]


def sent_heads_in(session) -> SentHeads:
    """The audit heads carried by every batch Dinsos receipted (from the stored receipts)."""
    server = session.get(DinsosKey, "server_signing")
    heads, damaged = [], []
    rows = session.scalars(select(OutboxBatch).where(OutboxBatch.receipt.is_not(None))
                           .order_by(OutboxBatch.sequence)).all()
    for row in rows:
        if not row.signed:
            # Known only from Dinsos's receipt after a restore (restore_sync): the lost PC sent it, and
            # its audit head belongs to entries that went with that PC; Dinsos's own list still has it.
            continue
        try:
            receipt = Receipt.from_bytes(row.receipt.encode("utf-8"))
            if server is None:
                raise ValueError("no server key")
            verify_receipt(receipt, server.public_key, expected_batch_hash=batch_hash(row.signed))
            batch = load_batch(row.signed)
        except (SyncError, ValueError):
            damaged.append(row.sequence)
            continue
        for item in batch.items:
            if item.item_type == AUDIT_HEAD_ITEM:
                found = chain.read_head_payload(item.payload)
                if found is not None:
                    heads.append(chain.Head(found[0], found[1], batch_sequence=row.sequence))
    return SentHeads(tuple(heads), tuple(damaged))


def heads_from_dinsos(ctx: OfficeContext, transport) -> tuple[chain.Head, ...]:
    """The heads Dinsos holds for this office, from its signed list (online check)."""
    from app.storage.sync_models import SyncLink
    from app.sync.audit_heads import verify_audit_heads

    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        if link is None or link.feed_token is None:
            raise office_keys.NotProvisioned()
        office_id, token = link.server_office_id, link.feed_token
        server = session.get(DinsosKey, "server_signing").public_key
    return verify_audit_heads(transport.get_audit_heads(office_id, token), server, office_id=office_id)


def verify_audit(ctx: OfficeContext, transport=None) -> audit.AuditReport:
    """Chain, signatures and every sent head: from the stored receipts, and with ``transport``
    also from Dinsos's own signed list (which deleting rows in this database cannot thin)."""
    online = heads_from_dinsos(ctx, transport) if transport is not None else ()
    with ctx.reading() as session:
        sent = sent_heads_in(session)
        local = {(h.batch_sequence, h.seq, h.hash) for h in sent.heads}
        heads = sent.heads + tuple(h for h in online if (h.batch_sequence, h.seq, h.hash) not in local)
        report = audit.verify(session, keys=office_keys.audit_keys(session), sent_heads=heads)
    if sent.damaged_batches:
        extra = tuple(chain.ChainProblem(0, "receipt_damaged", seq) for seq in sent.damaged_batches)
        report = audit.AuditReport(report.entries, report.problems + extra, head_seq=report.head_seq,
                                   heads_checked=report.heads_checked, legacy_entries=report.legacy_entries)
    with ctx.transaction() as session:
        ctx.audit(session, "audit.verify", "audit", None, entries=report.entries, ok=report.ok,
                  heads=report.heads_checked)
    return report
