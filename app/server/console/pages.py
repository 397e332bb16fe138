"""Sign in and out, the language switch, the inbox by kelurahan, the queue, and search."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.server import auth, review
from app.server.console import queries, web
from app.server.console.common import labels, staff_or_none
from app.server.context import ServerContext
from app.server.errors import LoginFailed, ServerError

STATIC = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}


def safe_next(target: str) -> str:
    """Only a console path: never an open redirect to another site."""
    return target if target.startswith("/console/") and "//" not in target and "\\" not in target else "/console/inbox"


def register(router: APIRouter, ctx: ServerContext) -> None:
    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            return Response(status_code=404)
        body = (web.TEMPLATES.parent / "static" / name).read_bytes()
        return Response(body, media_type=STATIC[name], headers={"Cache-Control": "max-age=3600"})

    @router.get("/")
    def home() -> RedirectResponse:
        return RedirectResponse("/console/inbox", status_code=303)

    @router.get("/lang/{lang}")
    def switch_language(lang: str, request: Request, next: str = "/console/inbox") -> RedirectResponse:
        response = RedirectResponse(safe_next(next), status_code=303)
        if lang in ("id", "en"):
            web.set_cookie(response, request, web.LANG_COOKIE, lang, max_age=365 * 86400)
        return response

    def login_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
        token = web.new_login_csrf()
        response = web.render(request, "login.html", login_csrf=token, error=error, status=status, **labels(request))
        web.set_cookie(response, request, web.LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response

    @router.get("/login")
    def login_form(request: Request) -> Response:
        return login_page(request)

    @router.post("/login")
    async def login(request: Request) -> Response:
        fields = await web.form(request)
        sent, cookie = web.first(fields, "csrf"), request.cookies.get(web.LOGIN_CSRF_COOKIE, "")
        _ = i18n.translator(web.language(request))
        if not sent or not cookie or not hmac.compare_digest(sent, cookie):
            return login_page(request, error=_("The form has expired. Sign in again."), status=403)
        username, password = web.first(fields, "username")[:64], web.first(fields, "password")[:1024]
        try:
            # Throttled per account and per address (app/server/throttle.py), like the API's sign-in.
            token = auth.login(ctx, username, password, address=request.client.host if request.client else None)
        except LoginFailed:
            return login_page(request, error=_("The username or password is wrong."), status=401)
        except ServerError as err:
            return login_page(request, error=_(err.template).format(**err.params), status=err.http_status)
        response = RedirectResponse("/console/inbox", status_code=303)
        web.set_cookie(response, request, web.SESSION_COOKIE, token,
                       max_age=int(ctx.settings.session_ttl.total_seconds()))
        response.delete_cookie(web.LOGIN_CSRF_COOKIE, path="/console")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        fields = await web.form(request)
        staff = staff_or_none(ctx, request)
        if staff is not None:
            try:
                web.check_csrf(request, fields)
            except web.CsrfFailed:
                return Response(status_code=403)
            auth.logout(ctx, web.session_token(request))
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(web.SESSION_COOKIE, path="/console")
        return response

    @router.get("/inbox")
    def inbox(request: Request) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        with ctx.reading() as session:
            table = queries.inbox(session, ctx.now())
        totals = {c: sum(row[c] for row in table) for c in queries.CATEGORIES}
        return web.render(request, "inbox.html", staff=staff, table=table, totals=totals,
                          categories=queries.CATEGORIES, **labels(request))

    @router.get("/queue")
    def queue(request: Request, category: str = "new", office: str | None = None, offset: int = 0) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        if category not in queries.CATEGORIES:
            category = "new"
        offset = min(max(offset, 0), 10_000_000)
        office = office[:64] if office else None  # an office id is 36 characters; the audit subject holds 80
        with ctx.reading() as session:
            rows = queries.queue(session, ctx.now(), category, office_id=office, offset=offset)
        review.record_read(ctx, f"staff:{staff.username}", "console_queue_viewed", office, category=category,
                           rows=len(rows))
        return web.render(request, "queue.html", staff=staff, rows=rows, category=category, office=office or "",
                          offset=offset, page=queries.PAGE, categories=queries.CATEGORIES,
                          reasons=_reasons(ctx), **labels(request))

    @router.get("/search")
    def search(request: Request, q: str = "") -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        q = q.replace("\x00", "")[:64]
        with ctx.reading() as session:
            rows = queries.search(session, ctx.now(), q) if q.strip() else []
        if q.strip():
            # Who searched and how much came back; never the words searched (a NIK, a name).
            review.record_read(ctx, f"staff:{staff.username}", "console_search", None, rows=len(rows))
        return web.render(request, "search.html", staff=staff, rows=rows, q=q, **labels(request))


def _reasons(ctx: ServerContext):
    from app.server.reason_catalogue import list_reasons

    return list_reasons(ctx)
