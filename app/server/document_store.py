"""Receiving sealed documents (resumable, by HTTP or from a USB file): staged, checked against the signed item, stored."""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update

from app.i18n import N_
from app.server import audit
from app.server.context import ServerContext
from app.server.document_refs import referenced
from app.server.errors import ServerError
from app.server.models import ItemDocument
from app.fsutil import create_private, secure_mkdir
from app.sync.documents import DocumentRef, DocumentRefused, open_document
from app.sync.errors import EnvelopeError

log = logging.getLogger(__name__)
SHA256 = re.compile(r"[0-9a-f]{64}")


class OffsetMismatch(ServerError):
    reason, http_status = "offset_mismatch", 409
    template = N_("The upload does not continue where Dinsos stopped receiving ({offset} bytes).")
    hint = N_("Ask Dinsos how much arrived, then continue from there.")


class UploadBusy(ServerError):
    reason, http_status = "upload_in_progress", 409
    template = N_("This document is being uploaded by another connection right now.")
    hint = N_("Try again in a moment.")


@dataclass(frozen=True)
class UploadState:
    ref: DocumentRef
    offset: int  # sealed bytes already received
    stored: bool


def check_sha256(sha256: str) -> str:
    if not SHA256.fullmatch(sha256):
        raise DocumentRefused("bad_format", field="sha256")
    return sha256


def _staging(ctx: ServerContext, office_id: str, sha256: str) -> Path:
    folder = secure_mkdir(ctx.settings.data_dir / "uploads" / office_id)
    return folder / f"{check_sha256(sha256)}.part"


def state(ctx: ServerContext, office_id: str, sha256: str) -> UploadState:
    """What Dinsos holds of one document of ``office_id``; DocumentRefused(not_referenced) if no item names it."""
    check_sha256(sha256)
    with ctx.reading() as session:
        found = referenced(session, office_id, sha256)
    if found is None:
        raise DocumentRefused("not_referenced")
    ref, stored = found
    if stored:
        return UploadState(ref, ref.max_sealed_bytes, True)
    path = _staging(ctx, office_id, sha256)
    return UploadState(ref, path.stat().st_size if path.exists() else 0, False)


@contextmanager
def appending(ctx: ServerContext, office_id: str, sha256: str, start: int, total: int):
    """The staged file opened to continue at ``start`` (0 restarts), under an exclusive lock."""
    current = state(ctx, office_id, sha256)
    if total > current.ref.max_sealed_bytes:
        raise DocumentRefused("document_too_large", size_mb=f"{total / 1048576:.1f}",
                              limit_mb=f"{current.ref.max_sealed_bytes / 1048576:.1f}")
    path = _staging(ctx, office_id, sha256)
    create_private(path)
    with open(path, "r+b") as fh:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise UploadBusy() from err
        except ImportError:  # not POSIX: one server process is assumed
            pass
        size = os.fstat(fh.fileno()).st_size
        if start == 0:
            fh.truncate(0)
        elif start != size:
            raise OffsetMismatch(offset=size)
        fh.seek(start)
        try:
            yield fh
        finally:
            fh.flush()
            os.fsync(fh.fileno())


def finish_if_whole(ctx: ServerContext, office_id: str, sha256: str, total: int, *, source: str) -> bool:
    """Once ``total`` bytes are staged: open, check, store; True when stored. A bad document is discarded."""
    path = _staging(ctx, office_id, sha256)
    if path.stat().st_size < total:
        return False
    sealed = path.read_bytes()
    try:
        store_sealed(ctx, office_id, sha256, sealed, source=source)
    finally:
        path.unlink(missing_ok=True)
    return True


def store_sealed(ctx: ServerContext, office_id: str, sha256: str, sealed: bytes, *, source: str) -> DocumentRef:
    """THE check for a whole sealed document, shared by the upload and the USB import; raises DocumentRefused."""
    current = state(ctx, office_id, sha256)
    if current.stored:
        return current.ref
    try:
        data = open_document(sealed, current.ref, ctx.keys.x25519, office_id=office_id)
    except (DocumentRefused, EnvelopeError) as err:
        reason = getattr(err, "reason", "damaged")
        with ctx.transaction() as session:
            audit.append(session, at=ctx.now(), actor=f"office:{office_id}", action="document_refused",
                         subject=sha256, detail={"reason": reason, "source": source})
        log.warning("document refused: office=%s reason=%s", office_id, reason)
        if isinstance(err, DocumentRefused):
            raise
        raise DocumentRefused("hash_mismatch") from err
    ctx.blobs.put(sha256, data)
    # Stored by whichever route came first: a half upload by the other one is no longer needed.
    if source != "http":
        _staging(ctx, office_id, sha256).unlink(missing_ok=True)
    now = ctx.now()
    with ctx.transaction() as session:
        session.execute(update(ItemDocument).where(ItemDocument.office_id == office_id, ItemDocument.sha256 == sha256,
                                                   ItemDocument.stored_at.is_(None)).values(stored_at=now))
        audit.append(session, at=now, actor=f"office:{office_id}", action="document_stored", subject=sha256,
                     detail={"size": len(data), "source": source})
    return current.ref
