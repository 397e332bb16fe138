"""Dinsos's signed return file for one office that works by USB stick: its receipts and decisions, which of
its documents Dinsos stores, and the decree documents Dinsos sends back."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.i18n import N_
from app.server import audit, review
from app.server.blobs import BlobCorrupt, BlobMissing
from app.server.context import ServerContext
from app.server.errors import OfficeNotBound, ServerError, UnknownOffice
from app.server.models import Batch, Decision, Item, ItemDocument, Office
from app.sync.receipt import Receipt
from app.sync.return_file import (
    MAX_ONE_RETURN_DOCUMENT,
    MAX_PAGES,
    MAX_RECEIPTS,
    MAX_RETURN_DOCUMENT_BYTES,
    MAX_RETURN_DOCUMENTS,
    MAX_STORED_DOCUMENTS,
    ReturnDocument,
    issue_return,
    return_file_name,
    seal_return,
)
from app.sync.status import StatusPage

log = logging.getLogger(__name__)


class TooMuchForOneFile(ServerError):
    reason, http_status = "return_too_large", 413
    template = N_("There are too many decisions for one return file.")
    hint = N_("Make the return file from the office's last cursor on (--after).")


@dataclass(frozen=True)
class ReturnFile:
    office_id: str
    name: str
    data: bytes
    receipts: int
    decisions: int
    cursor_from: int
    cursor_to: int
    issued_at: datetime
    stored_documents: int = 0
    documents: int = 0
    documents_left_out: int = 0  # decree documents over the file's cap: they come in the next file,
    next_after: int = 0  # made with --after this cursor once the office has imported this one


def _pages(ctx: ServerContext, office_id: str, after: int) -> list[StatusPage]:
    """The office's signed feed after ``after``, page by page as the network path serves it."""
    pages: list[StatusPage] = []
    cursor = after
    while True:
        page = StatusPage.from_bytes(review.status_page(ctx, office_id, cursor))
        if not page.updates:
            return pages or [page]  # nothing new: one empty page still says where the feed stands
        if len(pages) == MAX_PAGES:
            raise TooMuchForOneFile()
        pages.append(page)
        cursor = page.cursor_to


_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _stored_hashes(session, office_id: str) -> list[str]:
    """The office's documents Dinsos holds, newest first (the office stops offering them)."""
    rows = session.execute(select(ItemDocument.sha256, ItemDocument.stored_at)
                           .where(ItemDocument.office_id == office_id, ItemDocument.stored_at.is_not(None))
                           .order_by(ItemDocument.stored_at.desc(), ItemDocument.id.desc())).all()
    seen: dict[str, None] = {}
    for sha256, _at in rows:
        seen.setdefault(sha256, None)
        if len(seen) == MAX_STORED_DOCUMENTS:
            break
    return list(seen)


def _decree_documents(ctx: ServerContext, office_id: str, after: int) -> tuple[list[ReturnDocument], int, int]:
    """The decree documents of the office's items decided after ``after``, oldest first, until a cap is met.

    Returns (documents, how many did not fit, the feed cursor to start the next file from so that
    they come in it). A document missing from the blob store is left out and logged, never fatal.
    """
    with ctx.reading() as session:
        rows = session.execute(
            select(Decision.item_id, Decision.decree_number, Decision.decree_date, Decision.decree_document_sha256,
                   Decision.decree_document_type, Decision.feed_cursor)
            .join(Item, Item.item_id == Decision.item_id)
            .where(Item.office_id == office_id, Decision.decree_document_sha256.is_not(None),
                   Decision.feed_cursor > after)
            .order_by(Decision.feed_cursor)).all()
    documents: list[ReturnDocument] = []
    seen: set[tuple[str, str]] = set()
    total, next_after = 0, after
    for index, (item_id, number, when, sha256, media_type, cursor) in enumerate(rows):
        if (item_id, sha256) in seen:
            next_after = cursor
            continue
        try:
            data = ctx.blobs.get(sha256)
        except (BlobMissing, BlobCorrupt):
            log.warning("decree document %s of item %s is not in the blob store", sha256[:12], item_id)
            continue
        if (len(documents) == MAX_RETURN_DOCUMENTS or total + len(data) > MAX_RETURN_DOCUMENT_BYTES
                or len(data) > MAX_ONE_RETURN_DOCUMENT):
            return documents, len(rows) - index, next_after
        seen.add((item_id, sha256))
        label = re.sub(r"[^A-Za-z0-9._-]+", "-", number or "").strip("-")[:60] or "sk"
        name = f"SK-{label}-{when.isoformat() if when else ''}.{_EXTENSIONS.get(media_type, 'bin')}"
        documents.append(ReturnDocument(item_id, "decree", media_type, name[:120], data))
        total += len(data)
        next_after = cursor
    return documents, 0, next_after


def build_return_file(ctx: ServerContext, office_id: str, *, after: int = 0, actor: str = "cli") -> ReturnFile:
    """Every receipt of the office's stored batches and every decision after ``after``, signed and sealed.

    ``after`` defaults to the start of the feed: Dinsos cannot know what the office last imported,
    and the office takes only what is new to it, so a full file is always safe to bring.
    """
    with ctx.reading() as session:
        office = session.get(Office, office_id)
        if office is None:
            raise UnknownOffice()
        if office.feed_token_hash is None:
            raise OfficeNotBound()
        token_digest = office.feed_token_hash
        raw = session.execute(select(Batch.receipt).where(Batch.office_id == office_id)
                              .order_by(Batch.sequence)).scalars().all()
        stored = _stored_hashes(session, office_id)
    if len(raw) > MAX_RECEIPTS:
        raw = raw[-MAX_RECEIPTS:]  # the oldest were answered long ago; the office resends nothing older
    receipts = [Receipt.from_bytes(bytes(r)) for r in raw]
    pages = _pages(ctx, office_id, max(after, 0))
    documents, left_out, next_after = _decree_documents(ctx, office_id, max(after, 0))
    now = ctx.now()
    bundle = issue_return(ctx.keys.server, return_id=str(uuid.uuid4()), office_id=office_id, issued_at=now,
                          receipts=receipts, pages=pages, stored_documents=stored, documents=documents)
    data = seal_return(bundle, token_digest)
    decisions = sum(len(page.updates) for page in pages)
    with ctx.transaction() as session:
        audit.append(session, at=now, actor=actor, action="return_file_issued", subject=office_id,
                     detail={"return_id": bundle.return_id, "receipts": len(receipts), "decisions": decisions,
                             "cursor_from": bundle.cursor_from, "cursor_to": bundle.cursor_to,
                             "stored_documents": len(stored), "documents": [d.sha256 for d in documents],
                             "documents_left_out": left_out})
    return ReturnFile(office_id, return_file_name(office_id, now), data, len(receipts), decisions,
                      bundle.cursor_from, bundle.cursor_to, now, len(stored), len(documents), left_out,
                      next_after)
