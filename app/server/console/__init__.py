"""The Dinsos console: server-rendered pages under /console (Jinja2, one small CSS, no CDN).

``console_router(ctx)`` is mounted by app/server/app.py; pages.py holds sign-in and the lists,
review_pages.py the review page and decisions.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.server.context import ServerContext


def console_router(ctx: ServerContext) -> APIRouter:
    from app.server.console import (dashboard_pages, document_pages, export_pages, pages, return_pages,
                                    review_pages, upload_pages)

    router = APIRouter(prefix="/console", include_in_schema=False)
    pages.register(router, ctx)
    review_pages.register(router, ctx)
    dashboard_pages.register(router, ctx)
    return_pages.register(router, ctx)
    export_pages.register(router, ctx)
    upload_pages.register(router, ctx)
    document_pages.register(router, ctx)
    from app.server.console import decree_pages

    decree_pages.register(router, ctx)
    return router
