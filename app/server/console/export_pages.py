"""/console/export: the national upload (SIKS-NG's shape, app/server/siksng_export.py) as CSV or XLSX,
for the Kepala OPD and the administrator; every download is audited (who, which format, how many rows)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from app import i18n
from app.server import review, siksng_export
from app.server.console import web
from app.server.console.common import labels, staff_or_none
from app.server.context import ServerContext
from app.server.models import Item

ROLES = ("kepala", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register(router: APIRouter, ctx: ServerContext) -> None:
    def refused(request: Request, staff) -> Response:
        _ = i18n.translator(web.language(request))
        return web.render(request, "error.html", staff=staff, status=403, message=_("Your account may not do this."),
                          **labels(request))

    @router.get("/export")
    def page(request: Request) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        if staff.role not in ROLES:
            return refused(request, staff)
        with ctx.reading() as session:
            count = session.execute(select(func.count()).select_from(Item).where(
                Item.item_type == "proposal", Item.state.in_(siksng_export.EXPORTED_STATES))).scalar_one()
        return web.render(request, "export.html", staff=staff, count=count, columns=siksng_export.COLUMNS,
                          **labels(request))

    @router.get("/export/siks-ng.{fmt}")
    def download(fmt: str, request: Request) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        if staff.role not in ROLES:
            return refused(request, staff)
        if fmt not in ("csv", "xlsx"):
            return Response(status_code=404)
        body, count = siksng_export.to_xlsx(ctx) if fmt == "xlsx" else siksng_export.to_csv(ctx)
        review.record_read(ctx, f"staff:{staff.username}", "export_siksng", None, format=fmt, rows=count)
        media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
        stamp = ctx.now().strftime("%Y%m%d")
        return Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="usulan-siks-ng-{stamp}.{fmt}"',
            "Cache-Control": "no-store"})
