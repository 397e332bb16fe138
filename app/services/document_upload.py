"""Upload the documents of delivered items to Dinsos, resuming where a cut line stopped (docs/server.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.context import OfficeContext
from app.services.keys import NotProvisioned
from app.services.outbox import DELIVERED, encryption_key
from app.storage.document_models import OutgoingDocument
from app.storage.sync_models import OutboxItem, SyncLink
from app.sync.documents import DocumentRef, seal_document
from app.sync.transport_http import BatchRefused, ServerError, ServerUnreachable

log = logging.getLogger(__name__)
# Small enough that a poor line loses little when it drops; large enough that the calls stay few.
CHUNK_BYTES = 1024 * 1024
# Answers after which the document is sealed again from the start (its sealed copy was not accepted).
RESEAL = frozenset({"hash_mismatch", "wrong_office", "document_too_large"})


@dataclass
class UploadReport:
    uploaded: list[str] = field(default_factory=list)  # sha256 of documents Dinsos now holds
    waiting: int = 0  # still to go (a later round continues them)
    bytes_sent: int = 0
    error: str | None = None
    refused: dict[str, str] = field(default_factory=dict)


def _due_query():
    delivered = select(OutboxItem.id).where(OutboxItem.state == DELIVERED)
    return (select(OutgoingDocument.sha256).where(OutgoingDocument.uploaded_at.is_(None),
                                                  OutgoingDocument.outbox_item_id.in_(delivered))
            .order_by(OutgoingDocument.created_at, OutgoingDocument.sha256))


def _due(ctx: OfficeContext) -> list[str]:
    with ctx.reading() as session:
        return list(session.scalars(_due_query()))


def documents_due(session: Session) -> int:
    """Documents of delivered proposals that Dinsos has not confirmed holding (inside the caller's session)."""
    return session.scalar(select(func.count()).select_from(_due_query().subquery())) or 0


def pending_uploads(ctx: OfficeContext) -> int:
    """Documents of delivered proposals that Dinsos does not hold yet."""
    with ctx.reading() as session:
        return documents_due(session)


def sealed_copy(ctx: OfficeContext, sha256: str) -> tuple[bytes, str, str]:
    """(sealed copy, feed token, the office's id at Dinsos); the copy is made once, so a resumed upload
    continues the very same bytes."""
    with ctx.transaction() as session:
        link = session.get(SyncLink, 1)
        if link is None:
            raise NotProvisioned()
        row = session.get(OutgoingDocument, sha256)
        if row.sealed is None:
            ref = DocumentRef(row.sha256, row.kind, row.mime, row.size)
            row.sealed = seal_document(row.data, ref, encryption_key(session), office_id=link.server_office_id)
            row.sent_bytes = 0
        return row.sealed, link.feed_token, link.server_office_id


def _record(ctx: OfficeContext, sha256: str, *, sent: int | None = None, done: bool = False,
            error: str | None = None, reseal: bool = False) -> None:
    with ctx.transaction() as session:
        row = session.get(OutgoingDocument, sha256)
        if sent is not None:
            row.sent_bytes = sent
        row.last_error = error
        if reseal:
            row.sealed, row.sent_bytes = None, 0
        if done:
            row.uploaded_at = ctx.clock()
            ctx.audit(session, "document.upload", "attachment", row.attachment_id, size=row.size)


def upload_documents(ctx: OfficeContext, transport, *, chunk_bytes: int = CHUNK_BYTES) -> UploadReport:
    """Send what Dinsos lacks, chunk by chunk from the offset it reports; never raises for the network."""
    report = UploadReport()
    due = _due(ctx)
    for index, sha256 in enumerate(due):
        sealed, token, office_id = sealed_copy(ctx, sha256)
        try:
            state = transport.document_state(office_id, sha256, token)
            offset, stored = int(state.get("offset", 0)), bool(state.get("stored"))
            while not stored:
                chunk = sealed[offset:offset + chunk_bytes]
                try:
                    answer = transport.put_document(office_id, sha256, token, chunk, offset, len(sealed))
                except BatchRefused as err:
                    if err.reason != "offset_mismatch":
                        raise
                    # Dinsos holds more (or less) than we thought: ask, and continue from its offset.
                    answer = transport.document_state(office_id, sha256, token)
                else:
                    report.bytes_sent += len(chunk)
                offset, stored = int(answer.get("offset", 0)), bool(answer.get("stored"))
                _record(ctx, sha256, sent=offset)
        except (ServerUnreachable, ServerError) as err:
            # The line dropped: what Dinsos received stays there; the next round continues from it.
            report.error = "unreachable" if isinstance(err, ServerUnreachable) else err.code
            report.waiting = len(due) - index
            return report
        except BatchRefused as err:
            log.warning("document refused by Dinsos: %s", err.reason)
            report.refused[sha256] = err.reason
            _record(ctx, sha256, error=err.reason, reseal=err.reason in RESEAL)
            report.waiting += 1
            continue
        _record(ctx, sha256, done=True, sent=len(sealed))
        report.uploaded.append(sha256)
    return report


def confirm_stored(ctx: OfficeContext, hashes) -> list[str]:
    """Mark delivered the documents a signed return file says Dinsos stores (the USB office's confirmation).

    Only documents this office still waits to deliver change; each is recorded exactly as an upload
    Dinsos answered ``stored`` (the same ``_record``), so the Sending page stops counting it.
    """
    wanted = set(hashes)
    if not wanted:
        return []
    with ctx.reading() as session:
        due = [sha for sha in session.scalars(select(OutgoingDocument.sha256)
                                              .where(OutgoingDocument.uploaded_at.is_(None))) if sha in wanted]
    for sha256 in due:
        _record(ctx, sha256, done=True)
    return due
