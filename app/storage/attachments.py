"""Which files may be attached (PDF, JPEG, PNG under a size cap), checked by their bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.errors import UsulkanError
from app.i18n import N_

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"


class AttachmentRejected(UsulkanError):
    template = N_("The file {filename} cannot be attached.")


class AttachmentTooLarge(AttachmentRejected):
    template = N_("The file {filename} is {size_mb} MB; the limit is {limit_mb} MB.")
    hint = N_("Scan it again at a lower resolution or as several pages.")


class AttachmentTypeNotAllowed(AttachmentRejected):
    template = N_("The file {filename} is not a PDF, JPEG or PNG.")
    hint = N_("Save the scan as PDF, JPEG or PNG and attach it again.")


class AttachmentIncomplete(AttachmentRejected):
    template = N_("The file {filename} is damaged or incomplete.")
    hint = N_("Copy or scan the document again and attach the new file.")


@dataclass(frozen=True)
class CheckedFile:
    mime: str
    size: int
    sha256: str


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def check_attachment(filename: str, data: bytes) -> CheckedFile:
    """Accept only what the bytes show to be a whole PDF, JPEG or PNG; the name is not trusted."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentTooLarge(
            filename=filename, size_mb=_mb(len(data)), limit_mb=_mb(MAX_ATTACHMENT_BYTES)
        )
    if data.startswith(b"%PDF-"):
        mime = PDF
        # A PDF ends with %%EOF (possibly followed by a line end or a little padding).
        complete = b"%%EOF" in data[-1024:]
    elif data.startswith(b"\xff\xd8\xff"):
        mime = JPEG
        complete = data.rstrip(b"\x00").endswith(b"\xff\xd9")
    elif data.startswith(_PNG_SIGNATURE):
        mime = PNG
        complete = data.endswith(_PNG_END)
    else:
        raise AttachmentTypeNotAllowed(filename=filename)
    if not complete:
        raise AttachmentIncomplete(filename=filename)
    return CheckedFile(mime=mime, size=len(data), sha256=hashlib.sha256(data).hexdigest())
