"""The ways to copy a live SQLCipher database that bench/backup compares, each into a new file, same key.

- ``backup_api``: the online backup API in steps (what backups used first): every page decrypted
  and encrypted again;
- ``backup_api_whole``: the same in one step with a large page cache on both ends;
- ``export``: ``sqlcipher_export`` into an attached database keyed with the same key (rebuilds
  every table and index through SQL);
- ``raw``: ``backup_files.copy_database``'s raw path, the encrypted pages as they are, copied
  inside a read transaction after a WAL checkpoint (nothing decrypted).
"""

from __future__ import annotations

import time
from pathlib import Path

from app import fsutil
from app.storage import backup_files, engine


def backup_api(source: Path, key: bytes, target: Path, *, pages: int = backup_files.PAGES_PER_STEP) -> None:
    fsutil.create_private(target)
    src = engine.connect(source, key)
    try:
        dst = backup_files._raw_open(target, key)
        try:
            dst.execute("PRAGMA journal_mode = OFF").fetchall()
            dst.execute("PRAGMA synchronous = OFF")
            dst.execute(f"PRAGMA cache_size = -{engine.PAGE_CACHE_KIB * 4}")
            src.execute(f"PRAGMA cache_size = -{engine.PAGE_CACHE_KIB * 4}")
            src.backup(dst, pages=pages)
            dst.execute("PRAGMA journal_mode = DELETE").fetchall()
        finally:
            dst.close()
    finally:
        src.close()
    fsutil.fsync_file(target)


def backup_api_whole(source: Path, key: bytes, target: Path) -> None:
    backup_api(source, key, target, pages=-1)


def export(source: Path, key: bytes, target: Path) -> None:
    fsutil.create_private(target)
    src = engine.connect(source, key)
    try:
        src.execute(f"ATTACH DATABASE ? AS copy KEY {engine._raw_key_literal(key)}", (str(target),))
        src.execute("SELECT sqlcipher_export('copy')").fetchall()
        src.execute("DETACH DATABASE copy")
    finally:
        src.close()
    fsutil.fsync_file(target)


def raw(source: Path, key: bytes, target: Path) -> None:
    backup_files.copy_database(source, key, target)


WAYS = {"backup_api": backup_api, "backup_api_whole": backup_api_whole, "export": export, "raw": raw}


def measure(source: Path, key: bytes, folder: Path) -> dict[str, float]:
    """Seconds per way, each copy checked (cipher_integrity_check and quick_check) before it counts."""
    seconds = {}
    for name, way in WAYS.items():
        target = folder / f"copy-{name}.db"
        started = time.perf_counter()
        way(source, key, target)
        seconds[name] = time.perf_counter() - started
        backup_files.check_database(target, key, structure=True)
        target.unlink()
    return seconds
