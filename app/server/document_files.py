"""USB intake of sealed documents (``.usulkan-document`` files beside the batches): the same check as the upload."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.errors import UsulkanError
from app.server.context import ServerContext
from app.server.document_store import SHA256, store_sealed
from app.sync.documents import MAX_DOCUMENT_BYTES, MAX_SEAL_OVERHEAD
from app.sync.envelope import read_header
from app.sync.transport_file import DOCUMENT_SUFFIX, document_files_in

log = logging.getLogger(__name__)


@dataclass
class DocumentFileImport:
    path: Path
    stored: bool = False
    reason: str | None = None
    message: str | None = None


def _document_paths(paths) -> list[Path]:
    """Document files among ``paths``: as given, in a given folder, or beside a given batch file."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_file() and path.name.endswith(DOCUMENT_SUFFIX):
            found[path] = None
        for file in document_files_in(path if path.is_dir() else path.parent):
            found[file] = None
    return list(found)


def import_document_files(ctx: ServerContext, paths) -> list[DocumentFileImport]:
    """Store each sealed document file whose hash a received item of its office names; one bad file stops nothing."""
    results = []
    for path in _document_paths(paths):
        record = DocumentFileImport(path)
        results.append(record)
        sha256 = path.name.removesuffix(DOCUMENT_SUFFIX).rsplit("-", 1)[-1]
        if not SHA256.fullmatch(sha256):
            record.reason, record.message = "bad_name", "the file name does not end in the document's SHA-256"
            continue
        try:
            with open(path, "rb") as fh:
                sealed = fh.read(MAX_DOCUMENT_BYTES + MAX_SEAL_OVERHEAD + 1)
            # The office named in the sealed header; store_sealed checks it against the signed item.
            store_sealed(ctx, read_header(sealed).office_id, sha256, sealed, source="file")
        except OSError as err:
            record.reason, record.message = "unreadable", f"cannot read the file ({err.strerror or err})"
            continue
        except UsulkanError as err:
            record.reason, record.message = getattr(err, "reason", "error"), " ".join(err.message().split())
            log.info("document file %s refused: %s", path.name, record.reason)
            continue
        record.stored = True
    return results
