"""The HTTP API of the Dinsos intake server (FastAPI): batches in, signed statuses out, staff review."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations at runtime.


import json
import logging
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.requests import ClientDisconnect

from app import __version__
from app.domain.errors import DomainError
from app.server import auth, export, hardening, provisioning, rebind, review
from app.server.config import Settings
from app.server.context import ServerContext, open_server
from app.server.errors import BadRequest, BodyTooLarge, LoginThrottled, NotAuthenticated, ServerError
from app.server.ingest import HELD, ingest
from app.sync.bind import MAX_SEALED_BYTES
from app.sync.errors import BatchRejected, EnvelopeError, SyncError

log = logging.getLogger(__name__)
RECEIPT_TYPE = "application/json"
_BATCH_STATUS = {"too_large": 413, "replay": 409, "rollback": 409, "prev_hash_mismatch": 409}
_ENVELOPE_STATUS = {"truncated": 400, "damaged": 400, "too_large": 413}
# A larger cursor or offset is a 422, not an overflow (500) in the database or the signer.
MAX_CURSOR = 2**31 - 1  # the feed cursor column is a 32-bit INTEGER on PostgreSQL
MAX_OFFSET = 10_000_000


def _error(status: int, reason: str, message: str, **extra) -> JSONResponse:
    return JSONResponse({"reason": reason, "message": message, **extra}, status_code=status)


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class ReasonIn(BaseModel):
    code: str = Field(max_length=64, description="stable reason code, [a-z0-9][a-z0-9_.-]*")
    text: str = Field(max_length=2000, description="Dinsos's own words for the kelurahan")


class DecisionIn(BaseModel):
    action: Literal["verify", "return", "finalise", "approve", "forward"]
    reasons: list[ReasonIn] = Field(default_factory=list, max_length=50)
    decree_number: str | None = Field(default=None, max_length=100,
                                      description="the walikota's decree (SK): required for approve and forward")
    decree_date: date | None = Field(default=None, description="the decree's date (YYYY-MM-DD): required with it")


class RebindCodeIn(BaseModel):
    valid_hours: int = Field(default=72, ge=1, le=336)


class OfficeIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    village_code: str = Field(min_length=1, max_length=20)


def create_app(settings: Settings | None = None, *, context: ServerContext | None = None) -> FastAPI:
    ctx = context or open_server(settings or Settings.from_env())
    api = FastAPI(title="Usulkan Dinsos server", version=__version__)
    api.state.ctx = ctx
    hardening.install(api, max_body_bytes=ctx.settings.max_body_bytes, max_json_bytes=ctx.settings.max_json_bytes)

    @api.exception_handler(ServerError)
    async def _server_error(_request, err: ServerError):
        response = _error(err.http_status, err.reason, err.message())
        if isinstance(err, LoginThrottled):
            response.headers["Retry-After"] = str(err.retry_after)
        return response

    @api.exception_handler(BatchRejected)
    async def _rejected(_request, err: BatchRejected):
        return _error(_BATCH_STATUS.get(err.reason, 422), err.reason, err.message())

    @api.exception_handler(EnvelopeError)
    async def _envelope(_request, err: EnvelopeError):
        return _error(_ENVELOPE_STATUS.get(err.reason, 422), err.reason, err.message())

    @api.exception_handler(SyncError)
    async def _sync(_request, err: SyncError):
        return _error(422, err.reason, err.message())

    @api.exception_handler(DomainError)
    async def _domain(_request, err: DomainError):
        return _error(409, err.code, err.message())

    def staff(authorization: Annotated[str | None, Header()] = None) -> auth.Staff:
        return auth.authenticate(ctx, _bearer(authorization))

    @api.get("/healthz")
    def healthz() -> dict:
        with ctx.reading() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}

    @api.get("/v1/keys")
    def public_keys() -> dict:
        return ctx.keys.public_document()

    @api.post(
        "/v1/batches",
        responses={200: {"description": "signed receipt (usulkan-receipt)"},
                   202: {"description": "held: an earlier batch is missing (reason gap)"},
                   409: {"description": "conflict, rollback, prev_hash_mismatch"},
                   413: {"description": "too large"}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}}},
    )
    async def post_batch(request: Request) -> Response:
        body = await _read_capped(request, ctx.settings.max_body_bytes)
        result = await run_in_threadpool(ingest, ctx, body, source="http")
        if result.outcome == HELD:
            err = BatchRejected("gap", sequence=result.sequence, expected=result.expected_sequence)
            return _error(202, "gap", err.message(), sequence=result.sequence,
                          expected_sequence=result.expected_sequence)
        return Response(result.receipt, media_type=RECEIPT_TYPE)

    @api.post(
        "/v1/offices/{office_id}/bind",
        responses={200: {"description": "signed usulkan-bind-answer"},
                   403: {"description": "enrolment_refused: wrong or used code"},
                   422: {"description": "damaged, not_for_us, bad_signature, wrong_office, bad_format"}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "description": "usulkan-bind-request: the bind request sealed "
                       "to the batch encryption key (docs/batch-format.md section 11)"}}}}},
    )
    async def bind(office_id: str, request: Request) -> Response:
        body = await _read_capped(request, MAX_SEALED_BYTES)
        answer = await run_in_threadpool(provisioning.bind_office, ctx, office_id, body)
        return Response(answer, media_type=RECEIPT_TYPE)

    @api.post(
        "/v1/offices/{office_id}/rebind",
        responses={200: {"description": "signed usulkan-rebind-answer"},
                   403: {"description": "rebind_refused: wrong, expired or used re-bind code"},
                   422: {"description": "damaged, not_for_us, bad_signature, wrong_office, bad_format"}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "description": "usulkan-rebind-request: the new Lurah key's request "
                       "sealed to the batch encryption key (docs/batch-format.md section 12)"}}}}},
    )
    async def rebind_office(office_id: str, request: Request) -> Response:
        body = await _read_capped(request, MAX_SEALED_BYTES)
        answer = await run_in_threadpool(rebind.rebind_office, ctx, office_id, body)
        return Response(answer, media_type=RECEIPT_TYPE)

    @api.get("/v1/offices/{office_id}/statuses", responses={200: {"description": "signed usulkan-status-page"}})
    def statuses(office_id: str, after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
                 authorization: Annotated[str | None, Header()] = None) -> Response:
        with ctx.reading() as session:
            office = provisioning.office_for_feed_token(session, office_id, _bearer(authorization))
        if office is None:
            raise NotAuthenticated()
        return Response(review.status_page(ctx, office_id, after), media_type="application/json")

    @api.get("/v1/offices/{office_id}/audit-heads",
             responses={200: {"description": "signed usulkan-audit-heads: every audit head the office's batches carried"}})
    def audit_heads(office_id: str, authorization: Annotated[str | None, Header()] = None) -> Response:
        with ctx.reading() as session:
            office = provisioning.office_for_feed_token(session, office_id, _bearer(authorization))
        if office is None:
            raise NotAuthenticated()
        return Response(review.audit_heads(ctx, office_id), media_type="application/json")

    @api.post("/v1/review/login")
    def login(body: LoginIn, request: Request) -> dict:
        token = auth.login(ctx, body.username, body.password, address=request.client.host if request.client else None)
        return {"token": token, "expires_in": int(ctx.settings.session_ttl.total_seconds())}

    @api.post("/v1/review/logout", status_code=204)
    def logout(authorization: Annotated[str | None, Header()] = None) -> Response:
        token = _bearer(authorization)
        auth.authenticate(ctx, token)
        auth.logout(ctx, token)
        return Response(status_code=204)

    @api.get("/v1/review/items")
    def items(user: Annotated[auth.Staff, Depends(staff)], state: str | None = None, office_id: str | None = None,
              duplicates: bool = False, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> list[dict]:
        return review.list_items(ctx, state=state, office_id=office_id, duplicates_only=duplicates,
                                 limit=limit, offset=offset)

    @api.get("/v1/review/items/{item_id}")
    def item(item_id: str, user: Annotated[auth.Staff, Depends(staff)]) -> dict:
        return review.item_detail(ctx, item_id, reader=f"staff:{user.username}")

    @api.post("/v1/review/items/{item_id}/decisions")
    def decide(item_id: str, body: DecisionIn, user: Annotated[auth.Staff, Depends(staff)]) -> dict:
        decree = review.checked_decree(body.action, body.decree_number, body.decree_date, today=ctx.now().date())
        update = review.decide(ctx, user, item_id, body.action,
                               [review.Reason(r.code, r.text) for r in body.reasons], decree=decree)
        return json.loads(update.to_bytes())

    @api.get("/v1/review/duplicates")
    def duplicates(user: Annotated[auth.Staff, Depends(staff)]) -> list[dict]:
        return review.list_duplicates(ctx, reader=f"staff:{user.username}")

    @api.get("/v1/review/export")
    def export_list(user: Annotated[auth.Staff, Depends(staff)],
                    format: Literal["csv", "xlsx"] = "csv") -> Response:
        review.record_read(ctx, f"staff:{user.username}", "export", None, format=format)
        if format == "xlsx":
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            return Response(export.to_xlsx(ctx), media_type=media,
                            headers={"Content-Disposition": 'attachment; filename="bnba.xlsx"'})
        return Response(export.to_csv(ctx), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="bnba.csv"'})

    @api.post("/v1/review/offices")
    def register(body: OfficeIn, user: Annotated[auth.Staff, Depends(staff)]) -> dict:
        user.require("admin")
        return provisioning.register_office(ctx, name=body.name, village_code=body.village_code,
                                            actor=f"staff:{user.username}").document

    @api.post("/v1/review/offices/{office_id}/rebind-code")
    def rebind_code(office_id: str, body: RebindCodeIn, user: Annotated[auth.Staff, Depends(staff)]) -> dict:
        user.require("admin")
        code, expires = rebind.issue_rebind_code(ctx, office_id, actor=f"staff:{user.username}",
                                                 valid_for=timedelta(hours=body.valid_hours))
        return {"office_id": office_id, "rebind_code": code, "expires_at": expires.isoformat()}

    from app.server.console import console_router

    api.include_router(console_router(ctx))
    from app.server.documents import documents_router

    api.include_router(documents_router(ctx))
    from app.server.sync_state import sync_state_router

    api.include_router(sync_state_router(ctx))
    from app.server.dtsen_http import dtsen_router

    api.include_router(dtsen_router(ctx))
    return api


async def _read_capped(request: Request, cap: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``cap`` (never buffered whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > cap:
                raise BodyTooLarge()
        except ValueError as err:
            raise BadRequest(field="content-length") from err
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                raise BodyTooLarge()
            chunks.append(chunk)
    except ClientDisconnect as err:
        # An office on a poor line: it resends the same batch later. Not a server fault, no traceback.
        log.info("client went away after %d bytes of the body; nothing stored", size)
        raise BadRequest(field="body") from err
    return b"".join(chunks)
