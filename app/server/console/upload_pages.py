"""/console/upload: batch and document files from a USB stick, uploaded in the browser and imported by the
very code of `usulkan-server import-file` (app/server/cli.py import_files, app/server/document_files.py);
each stored batch's signed receipt to download for the office's stick, one by one or all in a ZIP."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.requests import Request as StarletteRequest

from app import i18n
from app.server import audit
from app.server.console import web
from app.server.console.common import labels, staff_or_none
from app.server.context import ServerContext
from app.server.errors import BadRequest, BodyTooLarge
from app.server.models import Batch, HeldBatch, Office
from app.sync.documents import MAX_DOCUMENT_BYTES, MAX_SEAL_OVERHEAD
from app.sync.transport_file import BATCH_SUFFIX, DOCUMENT_SUFFIX, receipt_file_name

ROLES = ("verifier", "kepala", "admin")
MAX_FILES = 20
BATCH_NAME = re.compile(r"usulkan-[0-9a-f-]{36}-[0-9]{6}" + re.escape(BATCH_SUFFIX))
UUID = re.compile(r"[0-9a-f-]{36}")
# The office names each sealed document after its office and SHA-256 (transport_file.document_file_name).
DOCUMENT_NAME = re.compile(r"usulkan-[0-9a-f-]{36}-[0-9a-f]{64}" + re.escape(DOCUMENT_SUFFIX))
OUTCOMES = {"accepted": i18n.N_("Received"), "duplicate": i18n.N_("Already received before"),
            "held": i18n.N_("Held: an earlier batch of this kelurahan is missing")}


async def _capped_form(request: Request, cap: int, *, max_files: int = MAX_FILES, max_fields: int = 10):
    """The multipart body read with a cap first (never buffered past it), then parsed by Starlette."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise BodyTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge()
        chunks.append(chunk)
    body = b"".join(chunks)
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await StarletteRequest(request.scope, receive).form(max_files=max_files, max_fields=max_fields)
    except Exception as err:  # a malformed multipart body, too many parts: the sender's fault
        raise BadRequest(field="files") from err


def register(router: APIRouter, ctx: ServerContext) -> None:
    def allowed(request: Request):
        staff = staff_or_none(ctx, request)
        if staff is None:
            return None, web.to_login(request)
        if staff.role not in ROLES:
            _ = i18n.translator(web.language(request))
            return staff, web.render(request, "error.html", staff=staff, status=403,
                                     message=_("Your account may not do this."), **labels(request))
        return staff, None

    @router.get("/upload")
    def form(request: Request) -> Response:
        staff, refused = allowed(request)
        if refused is not None:
            return refused
        return web.render(request, "upload.html", staff=staff, results=None, max_files=MAX_FILES, **labels(request))

    @router.post("/upload")
    async def upload(request: Request) -> Response:
        staff, refused = allowed(request)
        if refused is not None:
            return refused
        _ = i18n.translator(web.language(request))
        cap = ctx.settings.max_body_bytes * 2 + 64 * 1024
        try:
            parsed = await _capped_form(request, cap)
        except (BadRequest, BodyTooLarge) as err:
            return web.render(request, "upload.html", staff=staff, results=None, max_files=MAX_FILES,
                              error=_(err.template).format(field="files"), status=err.http_status, **labels(request))
        fields = {"csrf": [str(parsed.get("csrf") or "")]}
        try:
            web.check_csrf(request, fields)
        except web.CsrfFailed:
            return web.render(request, "error.html", staff=staff, status=403, message=_(
                "The form has expired or did not come from this console. Open the page again and repeat the step; "
                "nothing was changed."), **labels(request))
        files = [f for f in parsed.getlist("files") if isinstance(f, UploadFile)]
        results, documents = await _import(ctx, files, web.language(request))
        with ctx.transaction() as session:
            audit.append(session, at=ctx.now(), actor=f"staff:{staff.username}", action="console_upload",
                         subject=None, detail={"files": len(files),
                                               "stored": sum(1 for r in results if r["batch_id"]),
                                               "documents": sum(1 for d in documents if d["stored"])})
        status = 200 if files else 400
        return web.render(request, "upload.html", staff=staff, results=results, documents=documents,
                          max_files=MAX_FILES, outcomes=OUTCOMES, status=status, **labels(request))

    @router.get("/upload/receipts/{batch_id}")
    def receipt(batch_id: str, request: Request) -> Response:
        staff, refused = allowed(request)
        if refused is not None:
            return refused
        with ctx.reading() as session:
            row = session.execute(select(Batch.office_id, Batch.sequence, Batch.receipt)
                                  .where(Batch.batch_id == batch_id[:36])).first()
        if row is None:
            return Response(status_code=404)
        return Response(row.receipt, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="{receipt_file_name(row.office_id, row.sequence)}"'})

    @router.get("/upload/receipts.zip")
    def receipts_zip(request: Request) -> Response:
        staff, refused = allowed(request)
        if refused is not None:
            return refused
        wanted = [b for b in request.query_params.getlist("batch")[:MAX_FILES * 2] if UUID.fullmatch(b)]
        with ctx.reading() as session:
            rows = session.execute(select(Batch.office_id, Batch.sequence, Batch.receipt)
                                   .where(Batch.batch_id.in_(wanted)).order_by(Batch.sequence)).all()
        if not rows:
            return Response(status_code=404)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for office_id, sequence, body in rows:
                archive.writestr(receipt_file_name(office_id, sequence), body)
        return Response(buffer.getvalue(), media_type="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="usulkan-receipts.zip"'})


def _refused_document(shown: str, _) -> dict:
    return {"name": shown, "stored": False, "message": _(
        "The file name is not the one the kelurahan's export gave it (usulkan-<office>-<SHA-256>.usulkan-document);"
        " copy the file from the stick unchanged.")}


async def _import(ctx: ServerContext, files: list[UploadFile], language: str = "id") -> tuple[list[dict], list[dict]]:
    """Each upload written into a private temporary folder, then `import-file`'s import of that folder:
    the batches first, then the sealed documents beside them (whose hash a stored item must name)."""
    from fastapi.concurrency import run_in_threadpool

    from app.server.cli import import_files
    from app.server.document_files import import_document_files

    _ = i18n.translator(language)
    results: list[dict] = []
    documents: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="usulkan-upload-") as tmp:
        folder, receipts, docs = Path(tmp) / "in", Path(tmp) / "receipts", Path(tmp) / "documents"
        folder.mkdir(mode=0o700)
        docs.mkdir(mode=0o700)
        names: dict[Path, str] = {}
        doc_names: dict[Path, str] = {}
        for index, upload in enumerate(files):
            shown = (upload.filename or "").replace("\x00", "")[-160:]
            base = Path(shown).name
            if base.endswith(DOCUMENT_SUFFIX):
                if not DOCUMENT_NAME.fullmatch(base) or (docs / base).exists():
                    documents.append(_refused_document(shown, _))
                    continue
                target = docs / base
                target.write_bytes(await upload.read(MAX_DOCUMENT_BYTES + MAX_SEAL_OVERHEAD + 1))
                target.chmod(0o600)
                doc_names[target] = shown
                continue
            # The stick's own name keeps the sequence order; anything else gets a name of our own.
            name = base if BATCH_NAME.fullmatch(base) else f"usulkan-upload-{index:06d}{BATCH_SUFFIX}"
            target = folder / name
            if target.exists():
                target = folder / f"usulkan-upload-{index:06d}{BATCH_SUFFIX}"
            data = await upload.read(ctx.settings.max_body_bytes + 1)
            target.write_bytes(data)
            target.chmod(0o600)
            names[target] = shown or name
        records = await run_in_threadpool(import_files, ctx, [folder], receipts=receipts) if names else []
        stored = await run_in_threadpool(import_document_files, ctx, [docs]) if doc_names else []
        for doc in stored:
            documents.append({"name": doc_names.get(doc.path, doc.path.name), "stored": doc.stored,
                              "message": _document_message(doc.reason, _) if not doc.stored else None})
        for record in records:
            results.append({"name": names.get(record.path, record.path.name), "outcome": record.outcome,
                            "batch_id": record.batch_id if record.outcome else None, "sequence": record.sequence,
                            "expected": record.expected_sequence, "reason": record.reason,
                            "message": record.message,
                            "released": [batch for batch, _seq, _path in record.released]})
    ids = [r["batch_id"] for r in results if r["batch_id"]]
    if ids:
        with ctx.reading() as session:
            offices = dict(session.execute(select(Batch.batch_id, Office.name).join(Office, Office.id == Batch.office_id)
                                           .where(Batch.batch_id.in_(ids))).all())
            offices.update(session.execute(select(HeldBatch.batch_id, Office.name)
                                           .join(Office, Office.id == HeldBatch.office_id)
                                           .where(HeldBatch.batch_id.in_(ids))).all())
        for r in results:
            r["office"] = offices.get(r["batch_id"], "")
    return results, documents


def _document_message(reason: str | None, _) -> str:
    """The refusal in the operator's words; the reason code stays visible for Dinsos's technician."""
    text = {
        "not_referenced": _("No proposal Dinsos has received names this document: import its batch first."),
        "hash_mismatch": _("The document inside is not the one the proposal names."),
        "damaged": _("The file is damaged or was changed after the kelurahan exported it."),
    }.get(reason or "", _("The document file was refused."))
    return f"{text} ({reason})"
