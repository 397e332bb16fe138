"""Removing abandoned half uploads: staged ``<data dir>/uploads/<office>/<sha256>.part`` files older than N days."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
# An office on a poor line may resume a photo days later; after a week it will start again anyway.
DEFAULT_KEEP_DAYS = 7


@dataclass(frozen=True)
class Cleanup:
    removed: int
    freed_bytes: int
    kept: int


def _locked(path: Path) -> bool:
    """True when an upload holds the staged file right now (documents.appending's lock)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: age alone decides
        return False
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        return True
    return False


def remove_stale_uploads(data_dir: Path, *, older_than_days: float = DEFAULT_KEEP_DAYS,
                         now: float | None = None) -> Cleanup:
    """Delete staged parts not written for ``older_than_days``; an office folder left empty goes too.

    Only ``*.part`` files directly in an office folder are considered (nothing else is ever staged
    there); symbolic links are never followed, and a part being appended right now is left alone.
    """
    root = Path(data_dir) / "uploads"
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = (time.time() if now is None else now) - older_than_days * 86400
    removed = freed = kept = 0
    if not root.is_dir() or root.is_symlink():
        return Cleanup(0, 0, 0)
    for office in root.iterdir():
        if office.is_symlink() or not office.is_dir():
            continue
        for part in office.iterdir():
            if part.is_symlink() or not part.is_file() or part.suffix != ".part":
                continue
            stat = part.stat()
            if stat.st_mtime >= cutoff or _locked(part):
                kept += 1
                continue
            try:
                part.unlink()
            except FileNotFoundError:
                continue  # finished or removed by the upload itself meanwhile
            removed += 1
            freed += stat.st_size
        try:
            office.rmdir()  # only when empty
        except OSError:
            pass
    if removed:
        log.info("removed %d abandoned half upload(s), %d bytes", removed, freed)
    return Cleanup(removed, freed, kept)


def keep_days_from_env(default: float = DEFAULT_KEEP_DAYS) -> float:
    raw = os.environ.get("USULKAN_SERVER_UPLOAD_KEEP_DAYS", "")
    try:
        return float(raw) if raw else default
    except ValueError:
        return default
