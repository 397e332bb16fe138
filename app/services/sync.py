"""Send sealed batches in sequence order; a batch counts as delivered only with a verified receipt."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.domain import workflow
from app.errors import UsulkanError
from app.services import document_files, outbox
from app.services.context import OfficeContext
from app.services.keys import NotCertified, NotProvisioned
from app.services.outbox import AWAITING, BATCH_DELIVERED, DELIVERED, READY, REJECTED, SENT
from app.services.proposals import step_in
from app.storage.handover_models import PendingRevocation
from app.storage.models import Proposal as ProposalRow
from app.storage.sync_models import DinsosKey, OutboxBatch, OutboxItem, SyncLink
from app.sync.errors import BatchRejected as BatchRejected, ReceiptInvalid  # BatchRejected: the Sync page words it
from app.sync.receipt import Receipt, verify_receipt
from app.sync.transport_file import export_batch_file, read_receipt_file, receipt_files_in
from app.sync.transport_http import BatchRefused, ServerError, ServerUnreachable

log = logging.getLogger(__name__)

# Refusals that only time or an earlier batch cures: the batch stays sendable.
RETRY_LATER = {"gap", "http_429"}
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


@dataclass
class SendReport:
    delivered: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, str] = field(default_factory=dict)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... up to an hour, with jitter so offices do not retry in step."""
    delay = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    return delay * random.uniform(0.8, 1.2)


def server_key(session) -> bytes:
    row = session.get(DinsosKey, "server_signing")
    if row is None:
        raise NotProvisioned()
    return row.public_key


def _sendable(session, now: datetime) -> list[OutboxBatch]:
    query = select(OutboxBatch).where(OutboxBatch.state.in_((READY, SENT))).order_by(OutboxBatch.sequence)
    refused = session.scalar(select(func.min(OutboxBatch.sequence)).where(OutboxBatch.state == REJECTED))
    if refused is not None:
        # Dinsos would hold everything after a refused batch as a gap: wait for outbox.release_rejected.
        query = query.where(OutboxBatch.sequence < refused)
    due = []
    for batch in session.scalars(query):
        if batch.next_attempt_at is not None and batch.next_attempt_at > now:
            break  # a later batch sent before this one would only be held as a gap
        due.append(batch)
    return due


def _defer(ctx: OfficeContext, batch_id: str, error: str, now: datetime, *, state: str | None = None) -> None:
    with ctx.transaction() as session:
        row = session.get(OutboxBatch, batch_id)
        row.attempts += 1
        row.last_error = error
        row.next_attempt_at = now + backoff(row.attempts)
        if state:
            row.state = state
        ctx.audit(session, "outbox.defer", "batch", batch_id, error=error, attempts=row.attempts)


def _reject(ctx: OfficeContext, batch_id: str, reason: str, now: datetime) -> None:
    with ctx.transaction() as session:
        row = session.get(OutboxBatch, batch_id)
        row.attempts += 1
        row.state, row.last_error, row.next_attempt_at = REJECTED, reason, None
        ctx.audit(session, "outbox.rejected", "batch", batch_id, reason=reason)


def record_receipt(ctx: OfficeContext, receipt_obj: dict, *, now: datetime) -> str:
    """Verify a receipt (from HTTP or a USB file) and, in one transaction, mark its batch delivered."""
    receipt = Receipt.from_dict(receipt_obj)
    with ctx.transaction() as session:
        row = session.get(OutboxBatch, receipt.batch_id)
        if row is None or row.batch_hash is None:
            raise ReceiptInvalid("wrong_batch")
        verify_receipt(receipt, server_key(session), expected_batch_hash=row.batch_hash)
        if row.state == BATCH_DELIVERED:
            return row.batch_id  # a resent batch got the same receipt: nothing more to do
        row.state, row.receipt, row.delivered_at = BATCH_DELIVERED, receipt.to_bytes().decode("utf-8"), now
        row.last_error, row.next_attempt_at = None, None
        accepted = set(receipt.accepted_items)
        for item in session.scalars(select(OutboxItem).where(OutboxItem.batch_id == row.batch_id)):
            if item.proposal_id not in accepted:
                continue
            item.state = DELIVERED
            proposal = session.get(ProposalRow, item.proposal_id)
            if proposal.state == workflow.State.QUEUED.value:
                step_in(ctx, session, proposal, workflow.Action.SEND, actor=workflow.Actor.SYSTEM)
            if proposal.state == workflow.State.SENT.value:
                step_in(ctx, session, proposal, workflow.Action.RECEIVE, actor=workflow.Actor.SYSTEM,
                        data={"batch_id": row.batch_id})
        for revocation in session.scalars(select(PendingRevocation).where(PendingRevocation.batch_id == row.batch_id)):
            if revocation.cert_id in accepted:
                revocation.delivered_at = now
        ctx.audit(session, "outbox.delivered", "batch", row.batch_id, sequence=row.sequence,
                  items=len(accepted))
        return row.batch_id


def send_pending(ctx: OfficeContext, transport, *, now: datetime) -> SendReport:
    """Post each sendable batch in sequence order; stop at the first that does not get through."""
    report = SendReport()
    with ctx.reading() as session:
        batches = [(b.batch_id, b.sealed) for b in _sendable(session, now)]
        blocked = session.scalar(select(OutboxBatch.sequence).where(OutboxBatch.state == AWAITING))
    for batch_id, sealed in batches:
        try:
            receipt = transport.post_batch(sealed)
        except (ServerUnreachable, ServerError) as err:
            reason = "unreachable" if isinstance(err, ServerUnreachable) else err.code
            _defer(ctx, batch_id, reason, now)
            report.deferred[batch_id] = reason
            break  # later batches would only be held as a gap
        except BatchRefused as err:
            if err.reason in RETRY_LATER:
                _defer(ctx, batch_id, err.reason, now, state=SENT)
                report.deferred[batch_id] = err.reason
            else:
                _reject(ctx, batch_id, err.reason, now)
                report.rejected[batch_id] = err.reason
            log.warning("batch refused by Dinsos: %s", err.reason)
            break
        try:
            record_receipt(ctx, receipt, now=now)
        except ReceiptInvalid as err:
            # Not delivered until Dinsos proves it; resending is safe (same batch, same receipt).
            _defer(ctx, batch_id, f"receipt_{err.reason}", now, state=SENT)
            report.deferred[batch_id] = f"receipt_{err.reason}"
            log.warning("receipt for a batch did not verify: %s", err.reason)
            break
        report.delivered.append(batch_id)
    if blocked is not None:
        log.info("a batch waits for the Lurah's countersignature (sequence %s)", blocked)
    return report


def outbox_summary(ctx: OfficeContext) -> dict[str, int]:
    """Batches per state, for the sync panel."""
    with ctx.reading() as session:
        counts: dict[str, int] = {}
        for state in session.scalars(select(OutboxBatch.state)):
            counts[state] = counts.get(state, 0) + 1
        return counts


def receipt_of(ctx: OfficeContext, batch_id: str) -> dict | None:
    with ctx.reading() as session:
        row = session.get(OutboxBatch, batch_id)
        return json.loads(row.receipt) if row and row.receipt else None


def build_for_file(ctx: OfficeContext) -> list[str]:
    """Sign what is queued into batches without any network: an office that works by USB stick.

    The same batches a network round builds (outbox.build_batches); a person without a valid
    certificate (the Lurah, a lapsed operator) builds none, and what is already signed still goes.
    """
    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        if link is None or link.feed_token is None:
            raise NotProvisioned()
    try:
        return outbox.build_batches(ctx)
    except NotCertified:
        log.info("queued items wait for a certified operator to sign them")
        return []


def export_ready(ctx: OfficeContext, folder: str | Path) -> list[Path]:
    """Sign what is queued, then write every sealed, undelivered batch to ``folder`` (a USB stick).

    No server address is needed: the batch is sealed to Dinsos's key whatever carries it.
    """
    from app.services import restore, restore_sync

    if restore.reconcile_pending(ctx):
        raise restore_sync.ReconcileFirst()  # a batch built now could take a number Dinsos already holds
    build_for_file(ctx)
    with ctx.reading() as session:
        rows = [(b.sealed, b.sequence, b.batch_id) for b in session.scalars(
            select(OutboxBatch).where(OutboxBatch.state.in_((READY, SENT))).order_by(OutboxBatch.sequence))]
    written = [export_batch_file(sealed, folder, sequence=sequence) for sealed, sequence, _id in rows]
    # The documents the items of these batches name travel beside them on the same stick.
    document_files.export_documents(ctx, folder, [batch_id for _s, _q, batch_id in rows])
    return written


def import_receipt_file(ctx: OfficeContext, path: str | Path, *, now: datetime) -> str:
    """A receipt Dinsos handed back on a stick: checked exactly like one that came over HTTP."""
    return record_receipt(ctx, read_receipt_file(path), now=now)


@dataclass
class ReceiptImport:
    """What became of the receipt files read from a stick: batch ids recorded, files refused and why."""

    recorded: list[str] = field(default_factory=list)
    failed: list[tuple[Path, UsulkanError]] = field(default_factory=list)


def import_receipt_files(ctx: OfficeContext, paths, *, now: datetime) -> ReceiptImport:
    """Each file (a folder stands for its receipt files) on its own: one damaged file stops nothing else."""
    result = ReceiptImport()
    for raw in paths:
        raw = Path(raw)
        for path in receipt_files_in(raw) if raw.is_dir() else [raw]:
            try:
                result.recorded.append(import_receipt_file(ctx, path, now=now))
            except UsulkanError as err:
                log.info("receipt file %s refused: %s", path.name, err)
                result.failed.append((path, err))
    return result
