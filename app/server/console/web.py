"""The console's request plumbing: session cookie, CSRF token, language, form bodies, rendering.

- Session: the bearer token of app/server/auth.py (kept hashed in staff_sessions) in a cookie
  that is HttpOnly, SameSite=Strict, and Secure when the request came over TLS (uvicorn takes the
  scheme from X-Forwarded-Proto only from its trusted proxies, --forwarded-allow-ips) or when
  USULKAN_SERVER_COOKIE_SECURE=1.
- CSRF: every form carries HMAC-SHA256(session token, "csrf"), bound to the session; the sign-in
  form, before a session exists, uses a double-submit cookie.
- Language: Indonesian unless the ``usulkan_lang`` cookie says ``en``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import i18n
from app.server import auth
from app.server.auth import Staff
from app.server.context import ServerContext
from app.server.errors import BadRequest, BodyTooLarge, NotAuthenticated

SESSION_COOKIE = "usulkan_console"
LOGIN_CSRF_COOKIE = "usulkan_login_csrf"
LANG_COOKIE = "usulkan_lang"
MAX_FORM_BYTES = 64 * 1024
TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


class CsrfFailed(Exception):
    """The form's token is missing or not this session's: refused, nothing done."""


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, i18n.DEFAULT_LANGUAGE)
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get("USULKAN_SERVER_COOKIE_SECURE") == "1"


def set_cookie(response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
                        secure=secure(request))


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def current_staff(ctx: ServerContext, request: Request) -> Staff:
    return auth.authenticate(ctx, session_token(request))


def csrf_for(token: str) -> str:
    return hmac.new(token.encode("utf-8"), b"usulkan-console-csrf", hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


async def form(request: Request) -> dict[str, list[str]]:
    """The url-encoded form, capped before it is parsed (no multipart: the console's forms are small)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise BodyTooLarge()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise BodyTooLarge()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRequest(field="form") from err
    try:
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=2000, errors="strict")
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(field="form") from err
    for name, values in fields.items():
        if "\x00" in name or any("\x00" in v for v in values):
            # PostgreSQL refuses NUL in text: a 400 naming the field, never a 500.
            raise BadRequest(field=name.replace("\x00", "")[:40] or "form")
    return fields


def first(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name) or [default]
    return values[0]


def check_csrf(request: Request, fields: dict[str, list[str]]) -> None:
    """The session-bound token must come back with the form (compare_digest: no timing oracle)."""
    token = session_token(request)
    sent = first(fields, "csrf")
    if not token or not sent or not hmac.compare_digest(sent, csrf_for(token)):
        raise CsrfFailed()


def render(request: Request, name: str, *, staff: Staff | None = None, status: int = 200, **values) -> HTMLResponse:
    lang = language(request)
    token = session_token(request)
    html = _env.get_template(name).render(
        _=i18n.translator(lang), lang=lang, staff=staff, csrf=csrf_for(token) if token and staff else "",
        path=request.url.path, **values)
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; "
                                                   "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse("/console/login", status_code=303)


__all__ = ["NotAuthenticated", "CsrfFailed", "render", "form", "first", "check_csrf", "current_staff",
           "set_cookie", "language", "csrf_for", "new_login_csrf", "to_login"]
