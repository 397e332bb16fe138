"""The documents of exported batches, sealed onto the USB stick beside them (the same sealed bytes as by HTTP)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.services.context import OfficeContext
from app.services.document_upload import sealed_copy
from app.storage.document_models import OutgoingDocument
from app.storage.sync_models import OutboxItem
from app.sync.transport_file import export_document_file


def export_documents(ctx: OfficeContext, folder: str | Path, batch_ids: list[str]) -> list[Path]:
    """Write a ``.usulkan-document`` for each not yet uploaded document the items of ``batch_ids`` name."""
    if not batch_ids:
        return []
    with ctx.reading() as session:
        items = select(OutboxItem.id).where(OutboxItem.batch_id.in_(batch_ids))
        due = list(session.scalars(select(OutgoingDocument.sha256).where(OutgoingDocument.outbox_item_id.in_(items),
                                                                         OutgoingDocument.uploaded_at.is_(None))
                                   .order_by(OutgoingDocument.sha256)))
    written = []
    for sha256 in due:
        sealed, _token, _office = sealed_copy(ctx, sha256)
        written.append(export_document_file(sealed, folder, sha256=sha256))
    return written
