"""The server's guard against hostile requests: body caps before parsing, NUL and non-finite JSON refused, no input echoed.

- Every request body is capped before anything parses it: the batch upload at the envelope's
  limit (it streams, app.py reads it capped), the sealed bind/re-bind requests at their own
  limit, every other body at ``Settings.max_json_bytes``. A declared Content-Length over the cap
  is refused at once; a chunked body is counted as it arrives. 413 with ``reason: too_large``.
- A JSON body is checked before FastAPI parses it: ``NaN``, ``Infinity`` and numbers that overflow
  a float (``1e999999``) are not JSON (RFC 8259) and a NUL character is refused because
  PostgreSQL cannot store it in text. 400 with ``reason: bad_request`` naming the field.
- NUL in the path or the query string: 400 too (``%00`` in an office id reached PostgreSQL).
- Validation errors name the field and what is wrong with it, never the input (a 64 MiB body
  once came back as a 384 MiB reply).
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.server.errors import BadRequest, BodyTooLarge, InvalidInput, ServerError
from app.storage.attachments import MAX_ATTACHMENT_BYTES
from app.sync.bind import MAX_SEALED_BYTES
from app.sync.documents import MAX_DOCUMENT_BYTES, MAX_SEAL_OVERHEAD

# Paths whose body is not JSON for FastAPI to parse and whose handler reads it capped as it streams:
# a batch (app.py), a part of a sealed document (documents.py), the console's batch-file upload, the decree.
STREAMED = ("/v1/batches",)
STREAMED_PREFIXES = ("/console/upload",)
DOCUMENT_PATH = re.compile(r"^/v1/offices/[^/]+/documents/[0-9a-f]{64}$")
# The walikota's decree with its scanned document (console/decree_pages.py reads it capped).
DECREE_PATH = re.compile(r"^/console/items/[^/]+/decree$")
MAX_DECREE_BODY = MAX_ATTACHMENT_BYTES + 64 * 1024
SEALED_SUFFIXES = ("/bind", "/rebind")
MAX_FIELD_NAME = 80


class _Refused(Exception):
    def __init__(self, error: ServerError):
        self.error = error


def _reply(error: ServerError) -> JSONResponse:
    return JSONResponse({"reason": error.reason, "message": error.message()}, status_code=error.http_status)


def streamed(path: str) -> bool:
    return (path in STREAMED or path.startswith(STREAMED_PREFIXES) or DOCUMENT_PATH.match(path) is not None
            or DECREE_PATH.match(path) is not None)


def body_cap(path: str, max_body: int, max_json: int) -> int:
    if path in STREAMED:
        return max_body
    if DOCUMENT_PATH.match(path):
        return MAX_DOCUMENT_BYTES + MAX_SEAL_OVERHEAD
    if DECREE_PATH.match(path):
        return MAX_DECREE_BODY
    if path.startswith(STREAMED_PREFIXES):
        return 2 * max_body + 64 * 1024  # up to the console's own cap (upload_pages.py)
    if path.startswith("/v1/offices/") and path.endswith(SEALED_SUFFIXES):
        return max(MAX_SEALED_BYTES, max_json)
    return max_json


def _non_finite(value: str) -> float:
    raise ValueError(f"not a JSON number: {value}")


def _float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError("number out of range")
    return number


def _nul_field(value, where: str) -> str | None:
    """The dotted path of the first string (or key) holding a NUL, or None."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key.replace(chr(0), '')[:MAX_FIELD_NAME]}"
            if "\x00" in key:
                return here
            found = _nul_field(item, here)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_field(item, f"{where}.{index}")
            if found:
                return found
    return None


def check_json(body: bytes) -> None:
    """Refuse what FastAPI's json.loads would accept but must not: NaN, 1e999999, NUL in a string."""
    if not body.strip():
        return
    try:
        value = json.loads(body, parse_constant=_non_finite, parse_float=_float)
    except RecursionError as err:
        raise _Refused(BadRequest(field="body")) from err
    except ValueError as err:  # JSONDecodeError too; also int strings past Python's digit limit
        raise _Refused(BadRequest(field="body")) from err
    where = _nul_field(value, "body")
    if where:
        raise _Refused(BadRequest(field=where))


def _nul_in_target(scope) -> bool:
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    return (b"\x00" in unquote_to_bytes(raw_path) or "\x00" in scope.get("path", "")
            or b"\x00" in unquote_to_bytes(scope.get("query_string", b"")))


class HostileRequestGuard:
    """ASGI middleware: the checks above, before routing, for the API and the console alike."""

    def __init__(self, app, *, max_body_bytes: int, max_json_bytes: int):
        self.app = app
        self.max_body = max_body_bytes
        self.max_json = max_json_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if _nul_in_target(scope):
            return await _reply(BadRequest(field="url"))(scope, receive, send)
        cap = body_cap(scope["path"], self.max_body, self.max_json)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                return await _reply(BadRequest(field="content-length"))(scope, receive, send)
            if int(declared) > cap:
                return await _reply(BodyTooLarge())(scope, receive, send)
        if streamed(scope["path"]):
            return await self.app(scope, receive, send)  # its handler reads it capped, as it streams
        try:
            body, more = await _read_body(receive, cap)
            if b"json" in headers.get(b"content-type", b"").lower():
                check_json(body)
        except _Refused as refused:
            return await _reply(refused.error)(scope, receive, send)
        return await self.app(scope, _replay(body, more, receive), send)


async def _read_body(receive, cap: int) -> tuple[bytes, bool]:
    """The whole body, at most ``cap`` bytes; ``more`` is False when the client went away."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise _Refused(BodyTooLarge())
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, complete: bool, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            if complete:
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}
        return await receive()

    return replay


def _field(loc) -> str:
    return ".".join(str(part) for part in loc)[:200] or "body"


def install(api: FastAPI, *, max_body_bytes: int, max_json_bytes: int) -> None:
    """The middleware, and a validation-error answer that names fields and never echoes input."""

    @api.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, err: RequestValidationError):
        problems = [{"field": _field(e.get("loc", ())), "problem": str(e.get("type", "invalid"))[:60]}
                    for e in err.errors()[:20]]
        fields = ", ".join(p["field"] for p in problems) or "body"
        error = InvalidInput(field=fields[:300])
        return JSONResponse({"reason": error.reason, "message": error.message(), "fields": problems},
                            status_code=error.http_status)

    api.add_middleware(HostileRequestGuard, max_body_bytes=max_body_bytes, max_json_bytes=max_json_bytes)
