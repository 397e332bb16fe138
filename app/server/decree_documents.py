"""The walikota's decree (SK) document: checked by its bytes like an office attachment, kept in the blob store."""

from __future__ import annotations

from app.server.context import ServerContext
from app.server.review import DecreeDocument
from app.storage.attachments import MAX_ATTACHMENT_BYTES, check_attachment

# One scanned decree: the office's own cap for an attachment (a PDF of a few pages, or a photo of it).
MAX_DECREE_DOCUMENT_BYTES = MAX_ATTACHMENT_BYTES


def store_decree_document(ctx: ServerContext, filename: str, data: bytes) -> DecreeDocument:
    """Accept only a whole PDF, JPEG or PNG (by its bytes, not its name) under the cap; store it by hash.

    Raises the office's AttachmentRejected family (too large, not a PDF/JPEG/PNG, incomplete), whose
    messages say what to do. The blob is content-addressed: only a decision naming it ever serves it.
    """
    checked = check_attachment(filename, data)
    ctx.blobs.put(checked.sha256, data)
    return DecreeDocument(checked.sha256, checked.mime, checked.size)
