"""A document of an item, served inline to a signed-in staff member only, and every read audited."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.server import review
from app.server.blobs import BlobCorrupt, BlobMissing
from app.server.console.common import staff_or_none
from app.server.context import ServerContext
from app.server.document_store import SHA256
from app.server.models import ItemDocument

PATH = "/items/{item_id}/documents/{sha256}"
URL = "/console" + PATH


def register(router: APIRouter, ctx: ServerContext) -> None:
    @router.get(PATH)
    def document(item_id: str, sha256: str, request: Request) -> Response:
        # Only the console's session cookie opens a document: no office token, no link shared outside.
        staff = staff_or_none(ctx, request)
        if staff is None:
            return Response(status_code=401, headers={"Cache-Control": "no-store"})
        if not SHA256.fullmatch(sha256):
            return Response(status_code=404)
        with ctx.reading() as session:
            row = session.scalars(select(ItemDocument).where(ItemDocument.item_id == item_id[:64],
                                                             ItemDocument.sha256 == sha256,
                                                             ItemDocument.stored_at.is_not(None))).first()
        if row is None:
            return Response(status_code=404)
        # Audited before a byte is served: who looked at which document of whose proposal.
        review.record_read(ctx, f"staff:{staff.username}", "document_viewed", row.item_id, sha256=sha256,
                           kind=row.kind)
        try:
            data = ctx.blobs.get(sha256)
        except (BlobMissing, BlobCorrupt):
            return Response(status_code=404)
        return Response(data, media_type=row.media_type, headers={
            "Content-Disposition": f'inline; filename="{row.kind}-{sha256[:12]}"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        })
