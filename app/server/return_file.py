"""Dinsos's signed return file for one office that works by USB stick: its receipts and decisions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.i18n import N_
from app.server import audit, review
from app.server.context import ServerContext
from app.server.errors import OfficeNotBound, ServerError, UnknownOffice
from app.server.models import Batch, Office
from app.sync.receipt import Receipt
from app.sync.return_file import MAX_PAGES, MAX_RECEIPTS, issue_return, return_file_name, seal_return
from app.sync.status import StatusPage


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
    if len(raw) > MAX_RECEIPTS:
        raw = raw[-MAX_RECEIPTS:]  # the oldest were answered long ago; the office resends nothing older
    receipts = [Receipt.from_bytes(bytes(r)) for r in raw]
    pages = _pages(ctx, office_id, max(after, 0))
    now = ctx.now()
    bundle = issue_return(ctx.keys.server, return_id=str(uuid.uuid4()), office_id=office_id, issued_at=now,
                          receipts=receipts, pages=pages)
    data = seal_return(bundle, token_digest)
    decisions = sum(len(page.updates) for page in pages)
    with ctx.transaction() as session:
        audit.append(session, at=now, actor=actor, action="return_file_issued", subject=office_id,
                     detail={"return_id": bundle.return_id, "receipts": len(receipts), "decisions": decisions,
                             "cursor_from": bundle.cursor_from, "cursor_to": bundle.cursor_to})
    return ReturnFile(office_id, return_file_name(office_id, now), data, len(receipts), decisions,
                      bundle.cursor_from, bundle.cursor_to, now)
