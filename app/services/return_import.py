"""Import Dinsos's return file (USB): its receipts and decisions go through the network path's own checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.errors import UsulkanError
from app.i18n import N_, _, n_
from app.services import restore, restore_sync
from app.services.context import OfficeContext
from app.services.dinsos_documents import store_from_dinsos
from app.services.document_upload import confirm_stored
from app.services.keys import NotProvisioned
from app.services.outbox import BATCH_DELIVERED
from app.services.restore_sync import ReconcileReport
from app.services.status_feed import PullReport, store_page
from app.services.sync import record_receipt, server_key
from app.storage.sync_models import OutboxBatch, SyncLink
from app.sync.canonical import as_received
from app.sync.errors import ReceiptInvalid
from app.sync.return_file import MAX_RETURN_FILE_BYTES, ReturnFileInvalid, open_return
from app.sync.status import verify_status_page

log = logging.getLogger(__name__)


class ReturnFileUnreadable(UsulkanError):
    template = N_("The return file cannot be read.")
    hint = N_("Check that the USB stick is plugged in and the file is there.")


@dataclass
class ReturnImport:
    """What one return file changed: batches now received, decisions applied, the feed's new cursor."""

    delivered: list[str] = field(default_factory=list)
    decisions: int = 0
    not_applied: list[int] = field(default_factory=list)
    unknown_receipts: int = 0
    cursor: int = 0
    returned: int = 0  # of the decisions applied, how many sent a proposal back to this office
    reconciled: ReconcileReport | None = None  # a restored office lined up with what Dinsos holds
    documents_confirmed: list[str] = field(default_factory=list)  # now known to be stored at Dinsos
    documents_received: int = 0  # documents Dinsos sent back, newly attached to their proposals
    documents_unusable: int = 0

    @property
    def nothing_new(self) -> bool:
        return not (self.delivered or self.decisions or self.not_applied or self.documents_confirmed
                    or self.documents_received or self.documents_unusable) and self.reconciled is None


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_RETURN_FILE_BYTES + 1)  # the format refuses anything larger
    except OSError as err:
        raise ReturnFileUnreadable() from err


def import_return_file(ctx: OfficeContext, path: str | Path, *, now: datetime) -> ReturnImport:
    """Check the whole file first (office, encryption, Dinsos's signature, every page); then apply.

    Receipts go through ``sync.record_receipt`` and pages through ``status_feed.store_page``, the
    functions the network path uses. Only what is new to this office changes anything, so an old
    file brought again changes nothing; a refused file changes nothing either.
    """
    data = _read(Path(path))
    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        if link is None or not link.feed_token:
            raise NotProvisioned()
        office_id, token, cursor, key = link.server_office_id, link.feed_token, link.status_cursor, server_key(session)
    bundle = open_return(data, token, office_id=office_id, server_public_key=key)
    for page in bundle.pages:
        verify_status_page(page, key, office_id=office_id, after_cursor=page.cursor_from)
    if bundle.cursor_from > cursor:
        raise ReturnFileInvalid("gap")  # decisions in between would never arrive

    result = ReturnImport(cursor=cursor)
    if restore.reconcile_pending(ctx):
        # A restored office first lines its outbox up with what Dinsos holds (app/services/restore_sync.py).
        result.reconciled = restore_sync.reconcile_from_receipts(ctx, bundle.receipts, now=now)
    for receipt in bundle.receipts:
        with ctx.reading() as session:
            row = session.get(OutboxBatch, receipt.batch_id)
            state = row.state if row is not None else None
        if state is None:
            result.unknown_receipts += 1  # a batch this copy of the office never made (an older backup)
            continue
        if state == BATCH_DELIVERED:
            continue
        try:
            result.delivered.append(record_receipt(ctx, as_received(receipt.to_dict()), now=now))
        except ReceiptInvalid as err:
            log.warning("receipt in a return file did not match its batch: %s", err.reason)
            result.unknown_receipts += 1
    pulled = PullReport(cursor=cursor)
    for page in bundle.pages:
        store_page(ctx, page, pulled)
    result.decisions, result.not_applied, result.cursor = pulled.applied, pulled.not_applied, max(cursor, pulled.cursor)
    skipped = set(pulled.not_applied)
    result.returned = sum(1 for page in bundle.pages for u in page.updates
                          if u.feed_cursor > cursor and u.state == "returned" and u.feed_cursor not in skipped)
    # After the receipts: a document counts as delivered once its batch is (as on the network path).
    result.documents_confirmed = confirm_stored(ctx, bundle.stored_documents)
    result.documents_received, result.documents_unusable = store_from_dinsos(ctx, bundle.documents, now=now)
    if not result.nothing_new:
        with ctx.transaction() as session:
            ctx.audit(session, "sync.return_file", "office", ctx.office_id, return_id=bundle.return_id,
                      reconciled=result.reconciled is not None, delivered=len(result.delivered),
                      decisions=result.decisions, cursor=result.cursor,
                      documents_confirmed=len(result.documents_confirmed),
                      documents_received=result.documents_received)
    return result


def summary_text(result: ReturnImport) -> str:
    """What a return file changed, in the operator's words (the CLI and the sync page say the same)."""
    if result.nothing_new:
        return _("The return file is genuine, but it holds nothing new for this office.")
    parts = []
    if result.reconciled is not None:
        r = result.reconciled
        parts.append(_("After the restore: Dinsos holds this office's batches up to number {seq}; {delivered} "
                       "proposal(s) marked received, {queued} waiting to be sent.").format(
            seq=r.server_last_sequence, delivered=r.delivered_items, queued=r.requeued_items))
    parts += [
        n_("{n} batch is now received by Dinsos.", "{n} batches are now received by Dinsos.",
           len(result.delivered)).format(n=len(result.delivered)),
        n_("{n} decision from Dinsos arrived.", "{n} decisions from Dinsos arrived.",
           result.decisions).format(n=result.decisions),
    ]
    if result.returned:
        parts.append(n_("{n} proposal was returned by Dinsos with its reasons: open it from Beranda, fix it in a "
                        "new version and queue it again.",
                        "{n} proposals were returned by Dinsos with their reasons: open them from Beranda, fix "
                        "them in a new version and queue them again.", result.returned).format(n=result.returned))
    if result.documents_confirmed:
        n = len(result.documents_confirmed)
        parts.append(n_("Dinsos confirms it stores {n} document of this office.",
                        "Dinsos confirms it stores {n} documents of this office.", n).format(n=n))
    if result.documents_received:
        parts.append(n_("{n} document from Dinsos (such as the walikota's decree) is now attached to its proposal.",
                        "{n} documents from Dinsos (such as the walikota's decree) are now attached to their "
                        "proposals.", result.documents_received).format(n=result.documents_received))
    if result.documents_unusable:
        parts.append(n_("{n} document from Dinsos could not be kept here; it is not attached.",
                        "{n} documents from Dinsos could not be kept here; they are not attached.",
                        result.documents_unusable).format(n=result.documents_unusable))
    if result.not_applied:
        parts.append(n_("{n} decision could not be applied here; it is kept for a person to look at.",
                        "{n} decisions could not be applied here; they are kept for a person to look at.",
                        len(result.not_applied)).format(n=len(result.not_applied)))
    return " ".join(parts)
