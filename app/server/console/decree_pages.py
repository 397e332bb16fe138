"""The walikota's approval and the forwarding to the ministry with the decree's number, date and document,
and that document served (a staff session only, every read audited) from the item's history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from app.errors import UsulkanError
from app.i18n import N_
from app.server import review
from app.server.blobs import BlobCorrupt, BlobMissing
from app.server.console import web
from app.server.console.common import explain, staff_or_none
from app.server.console.review_pages import _csrf_refused, _decide, render_item
from app.server.console.upload_pages import _capped_form
from app.server.context import ServerContext
from app.server.decree_documents import MAX_DECREE_DOCUMENT_BYTES, store_decree_document
from app.server.errors import BadRequest, BodyTooLarge, DecreeRequired, Forbidden
from app.server.models import Decision
from app.storage.attachments import AttachmentRejected, AttachmentTooLarge

PATH = "/items/{item_id}/decree"
# The whole multipart body: the document and a few short fields (hardening.py lets it stream to here).
MAX_DECREE_FORM_BYTES = MAX_DECREE_DOCUMENT_BYTES + 64 * 1024
ACTIONS = review.DECREE_ACTIONS


class DecreeDocumentRequired(DecreeRequired):
    reason = "decree_document_required"
    template = N_("An approval or a forwarding to the ministry needs the decree's document (PDF, JPEG or PNG).")
    hint = N_("Choose the scan of the walikota's decree (SK), then repeat the step.")


def _status(err: UsulkanError) -> int:
    if isinstance(err, AttachmentTooLarge):
        return 413
    if isinstance(err, AttachmentRejected):
        return 400
    return getattr(err, "http_status", 409)


def register(router: APIRouter, ctx: ServerContext) -> None:
    def back(request: Request, staff, item_id: str, err: UsulkanError) -> Response:
        return render_item(ctx, request, staff, item_id, error=explain(request, err), status=_status(err))

    @router.post(PATH)
    async def decree(item_id: str, request: Request) -> Response:
        item_id = item_id[:64]
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        # Who may record the decree is decided before a byte of the document is read or stored.
        if staff.role not in review.ACTIONS["approve"][1]:
            return back(request, staff, item_id, Forbidden())
        try:
            parsed = await _capped_form(request, MAX_DECREE_FORM_BYTES, max_files=1, max_fields=8)
        except (BadRequest, BodyTooLarge) as err:
            return back(request, staff, item_id, err)
        fields = {k: [v for v in parsed.getlist(k) if isinstance(v, str)]
                  for k in ("csrf", "action", "expected_state", "decree_number", "decree_date")}
        try:
            web.check_csrf(request, fields)
        except web.CsrfFailed:
            return _csrf_refused(request, staff)
        action = web.first(fields, "action")
        upload = parsed.get("decree_document")
        try:
            if action not in ACTIONS:
                raise BadRequest(field="action")
            # Number and date first: a wrong date stores no document.
            checked = review.checked_decree(action, web.first(fields, "decree_number"),
                                            web.first(fields, "decree_date") or None, today=ctx.now().date())
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise DecreeDocumentRequired()
            data = await upload.read(MAX_DECREE_DOCUMENT_BYTES + 1)
            document = store_decree_document(ctx, upload.filename[-120:], data)
            _decide(ctx, staff, item_id, action, [], web.first(fields, "expected_state"),
                    decree=review.Decree(checked.number, checked.date, document))
        except UsulkanError as err:
            return back(request, staff, item_id, err)
        return RedirectResponse(f"/console/items/{item_id}?done={action}", status_code=303)

    @router.get(PATH + "/{decision_id}")
    def decree_document(item_id: str, decision_id: int, request: Request) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return Response(status_code=401, headers={"Cache-Control": "no-store"})
        with ctx.reading() as session:
            row = session.execute(select(Decision).where(Decision.id == decision_id,
                                                         Decision.item_id == item_id[:64])).scalar_one_or_none()
        if row is None or not row.decree_document_sha256:
            return Response(status_code=404)
        review.record_read(ctx, f"staff:{staff.username}", "decree_document_viewed", row.item_id,
                           sha256=row.decree_document_sha256, decision=row.id)
        try:
            data = ctx.blobs.get(row.decree_document_sha256)
        except (BlobMissing, BlobCorrupt):
            return Response(status_code=404)
        return Response(data, media_type=row.decree_document_type, headers={
            "Content-Disposition": f'inline; filename="sk-{row.decree_document_sha256[:12]}"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
