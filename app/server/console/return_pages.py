"""The offices page: Dinsos makes the signed return file for a kelurahan that works by USB stick."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from app import i18n
from app.errors import UsulkanError
from app.server.console import web
from app.server.console.common import explain, labels, staff_or_none
from app.server.console.review_pages import _signed_in_form
from app.server.context import ServerContext
from app.server.models import Batch, Office
from app.server.return_file import build_return_file


def _offices(ctx: ServerContext) -> list[dict]:
    with ctx.reading() as session:
        rows = session.execute(select(Office).order_by(Office.name, Office.id)).scalars().all()
        batches = dict(session.execute(select(Batch.office_id, func.max(Batch.sequence)).group_by(Batch.office_id)).all())
        return [{"id": o.id, "name": o.name, "village_code": o.village_code, "bound": o.feed_token_hash is not None,
                 "last_sequence": batches.get(o.id, 0), "feed_cursor": o.feed_cursor} for o in rows]


def register(router: APIRouter, ctx: ServerContext) -> None:
    def page(request: Request, staff, *, error: str | None = None, status: int = 200) -> Response:
        return web.render(request, "offices.html", staff=staff, offices=_offices(ctx), error=error, status=status,
                          **labels(request))

    @router.get("/offices")
    def offices(request: Request) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        return page(request, staff)

    @router.post("/offices/{office_id}/return-file")
    async def return_file(office_id: str, request: Request) -> Response:
        staff, fields, refused = await _signed_in_form(ctx, request)
        if refused is not None:
            return refused
        after = web.first(fields, "after", "0").strip() or "0"
        if not after.isdigit() or len(after) > 12:
            _ = i18n.translator(web.language(request))
            return page(request, staff, error=_("The cursor must be a whole number (0 for every decision)."),
                        status=400)
        try:
            made = build_return_file(ctx, office_id[:64], after=int(after), actor=f"staff:{staff.username}")
        except UsulkanError as err:
            return page(request, staff, error=explain(request, err), status=getattr(err, "http_status", 400))
        return Response(made.data, media_type="application/octet-stream", headers={
            "Content-Disposition": f'attachment; filename="{made.name}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})
