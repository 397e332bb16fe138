"""USB transport: write a sealed batch to a folder atomically, read back the receipt file Dinsos gives."""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import UsulkanError
from app.i18n import N_
from app.fsutil import write_atomic
from app.sync.envelope import read_header
from app.sync.errors import ReceiptInvalid
from app.sync.receipt import Receipt

BATCH_SUFFIX = ".usulkan-batch"
RECEIPT_SUFFIX = ".usulkan-receipt"
# A sealed document beside its batch (docs/batch-format.md section 13), named by its office and hash.
DOCUMENT_SUFFIX = ".usulkan-document"
# A receipt is a few hundred bytes per item; anything far larger is not a receipt.
MAX_RECEIPT_BYTES = 1 << 20


class ReceiptFileDamaged(UsulkanError):
    template = N_("The receipt file is cut off or damaged.")
    hint = N_("Ask Dinsos for the receipt file again and copy it once more.")


class ReceiptFileUnreadable(UsulkanError):
    template = N_("The receipt file cannot be read.")
    hint = N_("Check that the USB stick is plugged in and the file is there.")


def batch_file_name(office_id: str, sequence: int) -> str:
    return f"usulkan-{office_id}-{sequence:06d}{BATCH_SUFFIX}"


def receipt_file_name(office_id: str, sequence: int) -> str:
    """The receipt Dinsos writes for batch file ``batch_file_name(office_id, sequence)``: same stem."""
    return f"usulkan-{office_id}-{sequence:06d}{RECEIPT_SUFFIX}"


def batch_files_in(folder: str | Path) -> list[Path]:
    """The batch files in ``folder``, in sequence order (the zero-padded name sorts that way)."""
    return sorted(p for p in Path(folder).glob(f"usulkan-*{BATCH_SUFFIX}") if p.is_file())


def receipt_files_in(folder: str | Path) -> list[Path]:
    """The receipt files in ``folder``, in sequence order."""
    return sorted(p for p in Path(folder).glob(f"usulkan-*{RECEIPT_SUFFIX}") if p.is_file())


def write_receipt_file(receipt: bytes, folder: str | Path) -> Path:
    """Write Dinsos's signed receipt, its exact canonical bytes, into ``folder`` atomically.

    The name comes from the receipt itself, so it always matches the batch file it answers.
    """
    parsed = Receipt.from_bytes(receipt)  # never put something the office would refuse on a stick
    path = Path(folder) / receipt_file_name(parsed.office_id, parsed.sequence)
    write_atomic(path, receipt)
    return path


def export_batch_file(sealed: bytes, folder: str | Path, *, sequence: int) -> Path:
    """Write ``sealed`` into ``folder``; a pulled stick leaves the old file or the new one, whole."""
    header = read_header(sealed)  # frame check: never put a damaged envelope on a stick
    path = Path(folder) / batch_file_name(header.office_id, sequence)
    write_atomic(path, sealed)
    return path


def read_receipt_file(path: str | Path) -> dict:
    """The receipt as a dict, only if it is exactly a well-formed canonical receipt (signature checked later)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_RECEIPT_BYTES + 1)
    except OSError as err:
        raise ReceiptFileUnreadable() from err
    if len(data) > MAX_RECEIPT_BYTES:
        raise ReceiptFileDamaged()
    try:
        Receipt.from_bytes(data)
    except ReceiptInvalid as err:
        # Truncation and flipped bytes both end here: the canonical reader accepts one spelling only.
        raise ReceiptFileDamaged() from err
    return json.loads(data)


def document_file_name(office_id: str, sha256: str) -> str:
    return f"usulkan-{office_id}-{sha256}{DOCUMENT_SUFFIX}"


def document_files_in(folder: str | Path) -> list[Path]:
    """The sealed document files in ``folder``."""
    return sorted(p for p in Path(folder).glob(f"usulkan-*{DOCUMENT_SUFFIX}") if p.is_file())


def export_document_file(sealed: bytes, folder: str | Path, *, sha256: str) -> Path:
    """Write one sealed document into ``folder`` atomically, after the frame check (like a batch)."""
    header = read_header(sealed)
    path = Path(folder) / document_file_name(header.office_id, sha256)
    write_atomic(path, sealed)
    return path
