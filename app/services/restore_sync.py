"""After a restore: ask Dinsos (or read its return file) what it holds, mark that delivered, and continue the chain after its last batch.

A backup is older than what the office sent before the disaster. Dinsos's signed receipts say
which batches (and which items in them) it accepted; each is checked with the certified server
key. Items Dinsos holds are marked delivered (never resent); local batches Dinsos does not hold
at their sequence are dissolved and their items queued again, so the next batch follows the
last one Dinsos accepted (sequence + 1, its hash as ``prev_hash``): nothing is replayed,
nothing skipped, nothing lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.domain import workflow
from app.errors import UsulkanError
from app.i18n import N_
from app.services import restore
from app.services.context import OfficeContext
from app.services.keys import NotProvisioned
from app.services.outbox import BATCH_DELIVERED, DELIVERED, PENDING
from app.services.proposals import step_in
from app.services.sync import server_key
from app.storage.handover_models import PendingRevocation
from app.storage.models import Proposal as ProposalRow
from app.storage.sync_models import DataRepair, OutboxBatch, OutboxItem, SyncLink
from app.sync.canonical import ZERO_HASH, as_received
from app.sync.errors import ReceiptInvalid
from app.sync.receipt import Receipt, verify_receipt

MAX_PAGES = 10_000


class ReconcileFailed(UsulkanError):
    template = N_("What Dinsos holds of this office could not be checked ({reason}).")
    hint = N_("Nothing was sent. Try again when the connection is good; if it persists, contact Dinsos.")


class ReturnFileOlderThanBackup(ReconcileFailed):
    template = N_("This return file is older than the restored backup: it cannot say what Dinsos holds now.")
    hint = N_("Nothing was changed. Ask Dinsos for a new return file, made after it imported this office's last "
              "batch files.")


class ReconcileFirst(UsulkanError):
    template = N_("This office was restored from a backup and does not yet know what Dinsos already holds.")
    hint = N_("Import Dinsos's newest return file first (or send once over the internet); then the batch files "
              "are written without sending anything twice.")


@dataclass
class ReconcileReport:
    server_last_sequence: int = 0
    adopted_batches: list[int] = field(default_factory=list)  # delivered by the lost PC, known only from receipts
    confirmed_batches: list[int] = field(default_factory=list)  # in the backup, and at Dinsos too
    dissolved_batches: list[int] = field(default_factory=list)  # in the backup, never reached Dinsos there
    delivered_items: int = 0
    requeued_items: int = 0  # items waiting for the next batch once the reconcile is done


def _fetch(transport, office_id: str, token: str, after: int) -> tuple[dict, list[dict]]:
    receipts: list[dict] = []
    for _ in range(MAX_PAGES):
        page = transport.get_sync_state(office_id, after, token)
        if page.get("office_id") != office_id or not isinstance(page.get("receipts"), list):
            raise ReconcileFailed(reason="bad_format")
        receipts.extend(page["receipts"])
        if not page.get("more") or not page["receipts"]:
            return page, receipts
        after = page["receipts"][-1].get("sequence", after)
    raise ReconcileFailed(reason="too_many")


def _checked(raw: list[dict], key: bytes, office_id: str, after: int, last: tuple[int, str]) -> list[Receipt]:
    """Every receipt verified, for this office, one per sequence from ``after`` + 1 to the server's last."""
    receipts = []
    for obj in raw:
        try:
            receipt = Receipt.from_dict(obj)
            verify_receipt(receipt, key, expected_batch_hash=receipt.batch_hash)
        except ReceiptInvalid as err:
            raise ReconcileFailed(reason=f"receipt_{err.reason}") from err
        if receipt.office_id != office_id:
            raise ReconcileFailed(reason="wrong_office")
        receipts.append(receipt)
    receipts.sort(key=lambda r: r.sequence)
    if [r.sequence for r in receipts] != list(range(after + 1, last[0] + 1)):
        raise ReconcileFailed(reason="gap")
    if receipts and receipts[-1].batch_hash != last[1]:
        raise ReconcileFailed(reason="last_hash")
    return receipts


def _deliver_item(ctx, session, item: OutboxItem, batch_id: str) -> None:
    item.state, item.batch_id = DELIVERED, batch_id
    proposal = session.get(ProposalRow, item.proposal_id)
    if proposal.state == workflow.State.QUEUED.value:
        step_in(ctx, session, proposal, workflow.Action.SEND, actor=workflow.Actor.SYSTEM)
    if proposal.state == workflow.State.SENT.value:
        step_in(ctx, session, proposal, workflow.Action.RECEIVE, actor=workflow.Actor.SYSTEM, data={"batch_id": batch_id})


def _dissolve(session, row: OutboxBatch, report: ReconcileReport) -> None:
    """A local batch Dinsos never got at its sequence: its items wait again, the row goes."""
    for item in session.scalars(select(OutboxItem).where(OutboxItem.batch_id == row.batch_id)):
        item.state, item.batch_id = PENDING, None
        report.requeued_items += 1
    for revocation in session.scalars(select(PendingRevocation).where(PendingRevocation.batch_id == row.batch_id)):
        revocation.batch_id = None
    report.dissolved_batches.append(row.sequence)
    session.delete(row)
    session.flush()


def _where_we_stand(ctx: OfficeContext) -> tuple[str, str, bytes, int]:
    """(Dinsos's id of this office, feed token, server key, the last batch this copy knows delivered)."""
    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        if link is None or link.feed_token is None:
            raise NotProvisioned()
        office_id, token, key = link.server_office_id, link.feed_token, server_key(session)
        after = session.scalar(select(func.max(OutboxBatch.sequence)).where(OutboxBatch.state == BATCH_DELIVERED)) or 0
    return office_id, token, key, after


def reconcile(ctx: OfficeContext, transport, *, now: datetime) -> ReconcileReport:
    """Bring a restored office's outbox in line with what Dinsos holds (once; audited)."""
    office_id, token, key, after = _where_we_stand(ctx)
    page, raw = _fetch(transport, office_id, token, after)
    last = (int(page["last_sequence"]), str(page["last_batch_hash"]))
    if last[0] < after:
        raise ReconcileFailed(reason="server_behind")
    receipts = _checked(raw, key, office_id, after, last)
    return _apply(ctx, receipts, after, last, now=now, source="server")


def reconcile_from_receipts(ctx: OfficeContext, receipts: Sequence[Receipt], *, now: datetime) -> ReconcileReport:
    """The same, offline: Dinsos's return file lists the receipts of every batch it stores of this office.

    Its newest receipt is Dinsos's last sequence and batch hash. A file older than this backup
    (it knows less than the office already had confirmed) is refused; so is one with a gap.
    """
    office_id, _token, key, after = _where_we_stand(ctx)
    newest = max(receipts, key=lambda r: r.sequence, default=None)
    if newest is not None and newest.sequence < after:
        raise ReturnFileOlderThanBackup()
    if newest is None or newest.sequence == after:
        if after and newest is None:
            raise ReturnFileOlderThanBackup()
        with ctx.reading() as session:
            last = (after, session.scalar(select(OutboxBatch.batch_hash).where(OutboxBatch.sequence == after))
                    if after else ZERO_HASH)
    else:
        last = (newest.sequence, newest.batch_hash)
    raw = [as_received(r.to_dict()) for r in receipts if r.sequence > after]
    checked = _checked(raw, key, office_id, after, last)
    return _apply(ctx, checked, after, last, now=now, source="return_file")


def _apply(ctx: OfficeContext, receipts: list[Receipt], after: int, last: tuple[int, str], *, now: datetime,
           source: str) -> ReconcileReport:
    report = ReconcileReport(server_last_sequence=last[0])
    with ctx.transaction() as session:
        prev = session.scalar(select(OutboxBatch.batch_hash).where(OutboxBatch.sequence == after)) if after else None
        for receipt in receipts:
            row = session.scalars(select(OutboxBatch).where(OutboxBatch.sequence == receipt.sequence)).first()
            if row is not None and (row.batch_id != receipt.batch_id or row.batch_hash != receipt.batch_hash):
                _dissolve(session, row, report)
                row = None
            if row is None:
                row = OutboxBatch(batch_id=receipt.batch_id, sequence=receipt.sequence, prev_hash=prev or "",
                                  batch_hash=receipt.batch_hash, signed=b"", sealed=None, attempts=0, created_at=now,
                                  state=BATCH_DELIVERED)
                session.add(row)
                report.adopted_batches.append(receipt.sequence)
            else:
                report.confirmed_batches.append(receipt.sequence)
            row.state, row.receipt, row.delivered_at = BATCH_DELIVERED, receipt.to_bytes().decode("utf-8"), now
            row.last_error, row.next_attempt_at = None, None
            session.flush()
            prev = receipt.batch_hash
            accepted = set(receipt.accepted_items)
            for item in session.scalars(select(OutboxItem).where(OutboxItem.proposal_id.in_(accepted))):
                if item.state != DELIVERED:
                    _deliver_item(ctx, session, item, receipt.batch_id)
                    report.delivered_items += 1
            for revocation in session.scalars(select(PendingRevocation).where(PendingRevocation.cert_id.in_(accepted))):
                revocation.batch_id, revocation.delivered_at = receipt.batch_id, revocation.delivered_at or now
        # Local batches after Dinsos's last: kept only if they continue its chain exactly.
        expected_seq, expected_prev = last[0] + 1, last[1]
        later = session.scalars(select(OutboxBatch).where(OutboxBatch.sequence > last[0])
                                .order_by(OutboxBatch.sequence)).all()
        broken = False
        for row in later:
            if broken or row.sequence != expected_seq or row.prev_hash != expected_prev:
                broken = True
                _dissolve(session, row, report)
                continue
            expected_seq, expected_prev = row.sequence + 1, row.batch_hash
            if expected_prev is None:
                broken = True  # waits for the Lurah: nothing can follow it yet
        # Items a dissolved batch held that Dinsos has after all were marked delivered above.
        report.requeued_items = session.scalar(select(func.count()).select_from(OutboxItem)
                                               .where(OutboxItem.state.in_((PENDING,)))) or 0
        request = session.get(DataRepair, restore.RECONCILE)
        if request is not None:
            request.done_at = now
            request.result = {**(request.result or {}), "server_last_sequence": last[0],
                              "adopted": len(report.adopted_batches), "dissolved": len(report.dissolved_batches),
                              "delivered_items": report.delivered_items, "source": source}
        ctx.audit(session, "sync.reconcile", "outbox", None, server_last_sequence=last[0],
                  adopted=report.adopted_batches, confirmed=report.confirmed_batches,
                  dissolved=report.dissolved_batches, delivered_items=report.delivered_items,
                  requeued_items=report.requeued_items, source=source)
    return report


def reconcile_if_restored(ctx: OfficeContext, transport, *, now: datetime) -> ReconcileReport | None:
    """Run :func:`reconcile` when this office was restored and has not yet asked Dinsos; else None."""
    if not restore.reconcile_pending(ctx):
        return None
    return reconcile(ctx, transport, now=now)

