"""The documents a received batch's items name: checked against the caps and recorded for the upload."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.server.models import ItemDocument
from app.sync.batch import BatchItem
from app.sync.documents import DocumentRef, refs_in


def document_rows(session: Session, office_id: str, items: Iterable[BatchItem], stored_item_ids: list[str],
                  now: datetime) -> list[dict]:
    """Rows of ``item_documents`` for the items kept; raises DocumentRefused for any item's bad list."""
    kept = set(stored_item_ids)
    rows = []
    for item in items:
        if item.item_id not in kept:
            continue
        for position, ref in enumerate(refs_in(item.payload)):
            rows.append({"item_id": item.item_id, "office_id": office_id, "position": position, "sha256": ref.sha256,
                         "kind": ref.kind, "media_type": ref.media_type, "size": ref.size, "stored_at": None})
    if rows:
        # A document already uploaded for an earlier version of the same office is not asked again.
        stored = set(session.scalars(
            select(ItemDocument.sha256).where(ItemDocument.office_id == office_id,
                                              ItemDocument.sha256.in_({r["sha256"] for r in rows}),
                                              ItemDocument.stored_at.is_not(None))
        ))
        for row in rows:
            if row["sha256"] in stored:
                row["stored_at"] = now
    return rows


def referenced(session: Session, office_id: str, sha256: str) -> tuple[DocumentRef, bool] | None:
    """The reference a received item of ``office_id`` makes to ``sha256``, and whether it is stored."""
    row = session.execute(
        select(ItemDocument).where(ItemDocument.office_id == office_id, ItemDocument.sha256 == sha256)
        .order_by(ItemDocument.stored_at.is_(None), ItemDocument.id).limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return DocumentRef(row.sha256, row.kind, row.media_type, row.size), row.stored_at is not None
