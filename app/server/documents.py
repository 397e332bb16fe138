"""The office's resumable document upload (HEAD/GET the offset, PUT with Content-Range), feed-token authenticated."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations at runtime.

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from app.server import document_store, provisioning
from app.server.context import ServerContext
from app.server.errors import BadRequest, NotAuthenticated
from app.sync.documents import DocumentRefused

log = logging.getLogger(__name__)
PATH = "/v1/offices/{office_id}/documents/{sha256}"
_RANGE = re.compile(r"bytes (\d{1,12})-(\d{1,12})/(\d{1,12})")
_STATUS = {"not_referenced": 404, "document_too_large": 413, "bad_format": 422, "hash_mismatch": 422,
           "wrong_office": 422}


def _refused(err: DocumentRefused) -> JSONResponse:
    return JSONResponse({"reason": err.reason, "message": err.message()}, status_code=_STATUS.get(err.reason, 422))


def _office(ctx: ServerContext, office_id: str, authorization: str | None) -> None:
    token = authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None
    with ctx.reading() as session:
        if provisioning.office_for_feed_token(session, office_id, token) is None:
            raise NotAuthenticated()


def _answer(current: document_store.UploadState) -> dict:
    return {"sha256": current.ref.sha256, "offset": current.offset, "stored": current.stored,
            "max_bytes": current.ref.max_sealed_bytes}


def documents_router(ctx: ServerContext) -> APIRouter:
    router = APIRouter()

    @router.head(PATH, responses={200: {"description": "Upload-Offset: sealed bytes received so far"}})
    def document_head(office_id: str, sha256: str, authorization: Annotated[str | None, Header()] = None) -> Response:
        _office(ctx, office_id, authorization)
        try:
            current = document_store.state(ctx, office_id, sha256)
        except DocumentRefused as err:
            return Response(status_code=_STATUS.get(err.reason, 422), headers={"Upload-Reason": err.reason})
        return Response(headers={"Upload-Offset": str(current.offset), "Upload-Stored": str(current.stored).lower()})

    @router.get(PATH)
    def document_status(office_id: str, sha256: str, authorization: Annotated[str | None, Header()] = None):
        _office(ctx, office_id, authorization)
        try:
            return _answer(document_store.state(ctx, office_id, sha256))
        except DocumentRefused as err:
            return _refused(err)

    @router.put(
        PATH,
        responses={200: {"description": "offset received so far; stored true once whole and checked"},
                   404: {"description": "not_referenced: no received item of this office names the hash"},
                   409: {"description": "offset_mismatch: continue from the offset in the answer"},
                   413: {"description": "document_too_large"}, 422: {"description": "hash_mismatch, wrong_office"}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}}},
    )
    async def document_put(office_id: str, sha256: str, request: Request,
                           authorization: Annotated[str | None, Header()] = None,
                           content_range: Annotated[str | None, Header()] = None):
        await run_in_threadpool(_office, ctx, office_id, authorization)
        match = _RANGE.fullmatch(content_range or "")
        if match is None:
            raise BadRequest(field="content-range")
        start, end, total = (int(g) for g in match.groups())
        if not start <= end < total:
            raise BadRequest(field="content-range")
        wanted = end - start + 1
        try:
            with document_store.appending(ctx, office_id, sha256, start, total) as fh:
                received = 0
                try:
                    async for chunk in request.stream():
                        if received + len(chunk) > wanted:
                            raise BadRequest(field="body")
                        fh.write(chunk)
                        received += len(chunk)
                except ClientDisconnect as err:
                    # A poor line: what arrived is kept, the office continues from there.
                    log.info("document upload cut after %d bytes; kept for resuming", received)
                    raise BadRequest(field="body") from err
            stored = await run_in_threadpool(document_store.finish_if_whole, ctx, office_id, sha256, total,
                                             source="http")
            return _answer(await run_in_threadpool(document_store.state, ctx, office_id, sha256)) if not stored \
                else {"sha256": sha256, "offset": total, "stored": True}
        except DocumentRefused as err:
            return _refused(err)

    return router
