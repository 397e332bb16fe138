"""One sync round (sign what is queued, send, pull Dinsos's decisions) and the state the office shows.

The scheduler in the desktop calls ``run_round`` in a worker; the dashboard and the status bar read
``sync_state``. Both tell only what happened: contact means Dinsos answered, not that we tried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.errors import UsulkanError
from app.services import keys as office_keys
from app.services import outbox
from app.services.context import OfficeContext
from app.services.document_upload import UploadReport, documents_due, upload_documents
from app.services.outbox import AWAITING, BATCH_DELIVERED, READY, REJECTED, SENT
from app.services.status_feed import pull_statuses
from app.services.sync import SendReport, send_pending
from app.storage.handover_models import PendingRevocation
from app.storage.models import Office
from app.storage.sync_models import OutboxBatch, OutboxItem, SyncLink
from app.sync.errors import StatusRejected
from app.sync.transport_http import BatchRefused, ServerError, ServerUnreachable

log = logging.getLogger(__name__)

# Reasons kept in sync_link.last_error that are about the network, not about a batch.
UNREACHABLE = "unreachable"


@dataclass
class RoundReport:
    """What one round did; ``contact`` is True only if Dinsos answered at least once."""

    built: list[str] = field(default_factory=list)
    sent: SendReport = field(default_factory=SendReport)
    statuses_applied: int = 0
    contact: bool = False
    error: str | None = None
    not_certified: bool = False
    documents: UploadReport | None = None
    dtsen_version: int | None = None  # a newer DTSEN version applied in this round


@dataclass(frozen=True)
class SyncState:
    linked: bool
    bound: bool
    server_url: str | None
    last_attempt_at: datetime | None
    last_contact_at: datetime | None
    last_error: str | None
    items_waiting: int  # outbox.queue_size: what waits to reach Dinsos, each once (Beranda shows the same)
    batches: dict[str, int]
    next_attempt_at: datetime | None
    rejected_reason: str | None
    documents_waiting: int = 0  # documents of delivered proposals Dinsos has not confirmed yet

    @property
    def awaiting_countersignature(self) -> int:
        return self.batches.get(AWAITING, 0)

    @property
    def to_send(self) -> int:
        return self.batches.get(READY, 0) + self.batches.get(SENT, 0)

    @property
    def rejected(self) -> int:
        return self.batches.get(REJECTED, 0)

    @property
    def delivered(self) -> int:
        return self.batches.get(BATCH_DELIVERED, 0)


def sync_state(ctx: OfficeContext) -> SyncState:
    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        office = session.get(Office, ctx.office_id)
        batches = dict(session.execute(select(OutboxBatch.state, func.count()).group_by(OutboxBatch.state)).all())
        waiting = outbox.queue_size(session)
        next_at = session.scalar(select(func.min(OutboxBatch.next_attempt_at))
                                 .where(OutboxBatch.state.in_((READY, SENT))))
        rejected = session.scalars(select(OutboxBatch.last_error).where(OutboxBatch.state == REJECTED)
                                   .order_by(OutboxBatch.sequence)).first()
        return SyncState(
            linked=link is not None,
            bound=link is not None and link.feed_token is not None,
            server_url=office.server_url if office else None,
            last_attempt_at=link.last_attempt_at if link else None,
            last_contact_at=link.last_contact_at if link else None,
            last_error=link.last_error if link else None,
            items_waiting=waiting, batches=batches, next_attempt_at=next_at, rejected_reason=rejected,
            documents_waiting=documents_due(session),
        )


def _record(ctx: OfficeContext, now: datetime, report: RoundReport) -> None:
    with ctx.transaction() as session:
        link = session.get(SyncLink, 1)
        if link is None:
            return
        link.last_attempt_at = now
        link.last_error = report.error
        if report.contact:
            link.last_contact_at = now


def _reconciled(ctx: OfficeContext, transport, now: datetime, report: RoundReport) -> bool:
    """A restored office first asks Dinsos what it holds; until that worked nothing is built or sent."""
    from app.services.restore_sync import ReconcileFailed, reconcile_if_restored

    try:
        reconcile_if_restored(ctx, transport, now=now)
    except ServerUnreachable:
        report.error = UNREACHABLE
        return False
    except ServerError as err:
        report.error = err.code
        return False
    except ReconcileFailed as err:
        log.warning("reconcile after restore failed: %s", err)
        report.contact, report.error = True, "reconcile_failed"
        return False
    return True


def run_round(ctx: OfficeContext, transport, *, now: datetime) -> RoundReport:
    """Sign what is queued into batches, send what is due, pull statuses; record what Dinsos answered.

    Never raises for the network or a refusal: those are in the report and in sync_link, and the
    queue stays as it is for the next round.
    """
    report = RoundReport()
    state = sync_state(ctx)
    if not state.bound:
        raise office_keys.NotProvisioned()
    if not _reconciled(ctx, transport, now, report):
        _record(ctx, now, report)
        return report
    try:
        report.built = outbox.build_batches(ctx)
    except office_keys.NotCertified:
        # The Lurah, or someone whose certificate lapsed: what is already signed still goes.
        report.not_certified = True
    report.sent = send_pending(ctx, transport, now=now)
    sent = report.sent
    if sent.delivered or sent.rejected or any(not r.startswith(("unreachable", "http_5")) for r in sent.deferred.values()):
        report.contact = True
    failure = next(iter(sent.deferred.values()), None) or next(iter(sent.rejected.values()), None)
    if failure != UNREACHABLE and hasattr(transport, "put_document"):
        # The documents of what Dinsos now holds follow their batch (a transport without them skips).
        report.documents = upload_documents(ctx, transport)
        if report.documents.error == UNREACHABLE:
            failure = failure or UNREACHABLE
    if failure == UNREACHABLE:
        report.error = UNREACHABLE
    else:
        try:
            report.statuses_applied = pull_statuses(ctx, transport).applied
            report.contact = True
        except ServerUnreachable:
            report.error = UNREACHABLE
        except ServerError as err:
            report.error = err.code
        except (BatchRefused, StatusRejected) as err:
            report.contact = True
            report.error = f"status_{err.reason}"
        except UsulkanError as err:
            log.warning("status feed not applied: %s", err)
            report.error = "status_failed"
        if report.error is None and failure is not None:
            report.error = failure
        if report.error is None and hasattr(transport, "get_dtsen"):
            _pull_dtsen(ctx, transport, now, report)
    _record(ctx, now, report)
    return report


def _pull_dtsen(ctx: OfficeContext, transport, now: datetime, report: RoundReport) -> None:
    """The DTSEN versions Dinsos published since the office's own; a refusal is logged, the round goes on."""
    from app.services import dtsen

    try:
        report.dtsen_version = dtsen.pull(ctx, transport, now=now).version
    except ServerUnreachable:
        report.error = UNREACHABLE
    except ServerError as err:
        report.error = err.code
    except UsulkanError as err:
        log.warning("DTSEN packages not applied: %s", err)
        report.error = f"dtsen_{getattr(err, 'reason', 'failed')}"


@dataclass(frozen=True)
class BatchView:
    batch_id: str
    sequence: int
    state: str
    items: int
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


def recent_batches(ctx: OfficeContext, limit: int = 50) -> list[BatchView]:
    """The newest batches first, with how many items each carries (proposals and revocations)."""
    with ctx.reading() as session:
        rows = session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence.desc()).limit(limit)).all()
        ids = [row.batch_id for row in rows]
        counts = dict(session.execute(select(OutboxItem.batch_id, func.count()).where(OutboxItem.batch_id.in_(ids))
                                      .group_by(OutboxItem.batch_id)).all())
        revoked = dict(session.execute(select(PendingRevocation.batch_id, func.count())
                                       .where(PendingRevocation.batch_id.in_(ids))
                                       .group_by(PendingRevocation.batch_id)).all())
        return [BatchView(row.batch_id, row.sequence, row.state, counts.get(row.batch_id, 0) + revoked.get(row.batch_id, 0),
                          row.attempts, row.last_error, row.created_at, row.delivered_at) for row in rows]
