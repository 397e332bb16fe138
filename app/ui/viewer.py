"""Handing a person's document to the system viewer without leaving a decrypted copy behind.

Attachments and receipts live encrypted in the office database. To show a PDF the system
viewer needs a file: it is written into one private folder (0700, files 0600) that is
emptied when the application closes, when a person signs out, and at the next start (after
a crash). The runtime folder of the session is preferred (``$XDG_RUNTIME_DIR``: memory only,
this user only, gone at log-out); otherwise the user's temporary folder.

The file's type is decided by its bytes, never by the name it came with: a ``%PDF`` file
named ``ktp.bat`` is written as ``ktp.pdf`` and opens in the PDF viewer, never as a program.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

from app.errors import UsulkanError
from app.i18n import N_

log = logging.getLogger(__name__)

_WINDOWS = sys.platform == "win32"
FOLDER_NAME = "usulkan-lihat"

# The bytes a file starts with -> the extension the viewer is chosen by.
SIGNATURES = ((b"%PDF-", ".pdf"), (b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"))


class CannotShowDocument(UsulkanError):
    template = N_("This document is not a PDF, JPEG or PNG, so it is not opened.")
    hint = N_("Ask whoever gave it to scan it again as PDF, JPEG or PNG.")


class ViewerFolderUnsafe(UsulkanError):
    template = N_("The folder for viewing documents ({folder}) belongs to someone else or is not a plain folder.")
    hint = N_("Ask your IT officer to delete it; until then documents cannot be opened in the system viewer.")


# Tests point this elsewhere.
_base: Path | None = None


def viewer_folder() -> Path:
    """The private folder, made if missing and checked every time (0700, ours, not a link)."""
    base = _base
    if base is None:
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        base = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
        if not _WINDOWS and base == Path(tempfile.gettempdir()):
            name = f"{FOLDER_NAME}-{os.getuid()}"  # a shared /tmp: one folder per user
            return _checked(base / name)
    return _checked(base / FOLDER_NAME)


def _checked(folder: Path) -> Path:
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or (not _WINDOWS and info.st_uid != os.getuid()):
        # Someone else's folder, or a link planted to catch the documents.
        raise ViewerFolderUnsafe(folder=str(folder))
    if not _WINDOWS:
        os.chmod(folder, 0o700)
    return folder


def file_extension(data: bytes) -> str | None:
    for signature, extension in SIGNATURES:
        if data.startswith(signature):
            return extension
    return None


def _safe_stem(filename: str) -> str:
    stem = Path(filename.replace("\\", "/")).name
    stem = stem.split(".", 1)[0]  # "ktp.pdf.bat" -> "ktp": no second extension survives
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:40]
    return stem or "dokumen"


def write_for_viewer(filename: str, data: bytes) -> Path:
    """A private copy named by what the bytes are (``ktp.bat`` holding a PDF -> ``ktp-….pdf``)."""
    extension = file_extension(data)
    if extension is None:
        raise CannotShowDocument()
    folder = viewer_folder()
    # mkstemp: a fresh name, created 0600 before any byte is written, never an existing file.
    fd, name = tempfile.mkstemp(dir=folder, prefix=f"{_safe_stem(filename)}-", suffix=extension)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return Path(name)


def empty_viewer_folder() -> int:
    """Delete every file handed to a viewer; the number deleted. A file still open on Windows stays till next time."""
    try:
        folder = viewer_folder()
    except (UsulkanError, OSError):
        return 0
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_dir() and not path.is_symlink():
                continue
            path.unlink()
            removed += 1
        except OSError:
            log.warning("a viewed document could not be deleted yet; it is deleted at the next start")
    return removed
