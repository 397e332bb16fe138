"""Durable, private file operations: 0600 files, 0700 folders, atomic replace, fsync, a lock."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_WINDOWS = os.name == "nt"
# Filesystems that cannot fsync a directory say so with one of these; the data is still safe
# as far as that filesystem can make it, so the caller should not fail.
_NO_DIR_FSYNC = {errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES, errno.EPERM}


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename or a new name in ``path`` durable (a no-op where directories cannot be synced)."""
    if _WINDOWS:
        # Windows cannot open a directory with os.open; NTFS journals the metadata itself.
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_DIR_FSYNC:
            raise
    finally:
        os.close(fd)


def fsync_file(path: str | os.PathLike) -> None:
    """Flush a file that someone else (SQLite) wrote to stable storage."""
    # Windows needs write access to flush a file (FlushFileBuffers); POSIX accepts either.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_private(path: str | os.PathLike, mode: int = 0o600) -> bool:
    """Create ``path`` empty with ``mode`` unless it exists; True when this call created it.

    The mode is set by the creating open itself, so no byte is ever readable by others, even
    for an instant (umask can only remove bits from it).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def secure_mkdir(path: str | os.PathLike) -> Path:
    """Make ``path`` (and missing parents) and leave it readable by its owner only (0700)."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _WINDOWS:
        # mkdir's mode is filtered by umask and ignored for an existing folder: set it outright.
        os.chmod(path, 0o700)
    return path


def write_atomic(path: str | os.PathLike, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file whole.

    The temporary file is created private (mkstemp uses 0600) before any byte is written,
    flushed to disk, renamed over ``path`` and the folder is synced so the rename survives too.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if mode != 0o600 and not _WINDOWS:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def remove_files(paths: list[Path]) -> bool:
    """Delete whichever of ``paths`` exist; True when anything was deleted (then sync the folder)."""
    removed = False
    for path in paths:
        try:
            path.unlink()
            removed = True
        except FileNotFoundError:
            pass
    return removed


@contextmanager
def file_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive, process-wide lock on ``path`` (created 0600) for the ``with`` block.

    The lock is advisory: it orders Usulkan processes among themselves. It is released when
    the block ends or the process dies, so a crash never leaves an office locked.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    try:
        if _WINDOWS:
            import msvcrt

            # LK_LOCK retries for about ten seconds, then raises: good enough for a desktop.
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                # Windows may release a lock on close only "eventually": unlock explicitly.
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
    finally:
        # Closing the descriptor releases a POSIX lock (and a crash releases either kind).
        os.close(fd)
