"""One backup on disk: the database copied by SQLCipher's backup API, the vault of that moment, a manifest.

Layout of a backup (a folder, so a stick needs no archive tool to inspect it)::

    usulkan-backup-<stamp>-<reason>/
        vault.json       the keyslots valid when the copy was made (they open this copy's key)
        office-<g>.db    the database, encrypted under the same data key, one file (no WAL)
        manifest.json    written last: sizes and SHA-256 of both files; only a verified copy has one

Everything is written into ``.partial-<name>`` first, fsynced, checked (``cipher_integrity_check``
and a test open with the key, the vault's MAC under that key), then renamed.
A folder without a manifest, or whose files do not match it (a stick pulled mid-write), never
counts as a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app import fsutil
from app.storage import engine
from app.storage.vault import VAULT_FILE, _State, vault_database

FORMAT, VERSION = "usulkan-backup", 1
MANIFEST = "manifest.json"
PREFIX = "usulkan-backup-"
PARTIAL = ".partial-"
DOOMED = ".deleting-"
PAGES_PER_STEP = 1024
RAW_BLOCK = 4 << 20
CHECKPOINT_WAIT_MS = 250
PAGE_BYTES = 4096  # SQLCipher 4's page size: progress counts pages on both paths

Progress = Callable[[int, int], None]  # (pages done, pages in all)


@dataclass(frozen=True)
class BackupInfo:
    """A backup folder whose manifest parsed; ``complete`` once its files were checked against it."""

    path: Path
    office_id: str
    created_at: datetime
    reason: str
    generation: int
    database: str
    revision: str | None
    db_size: int
    db_sha256: str
    vault_sha256: str

    @property
    def name(self) -> str:
        return self.path.name


class BackupIncomplete(Exception):
    """The folder is not a whole, verified backup (no manifest, files missing, truncated or altered)."""


def aware(at: datetime) -> datetime:
    """``at`` in UTC with its zone; a naive time is the app's clock, which is UTC already."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def backup_name(now: datetime, reason: str) -> str:
    return f"{PREFIX}{aware(now):%Y%m%dT%H%M%S%fZ}-{reason}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _raw_open(path: Path, key: bytes):
    """A bare keyed connection (no WAL switch): for writing and checking backup copies."""
    conn = engine.driver().connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        engine._apply_key(conn, key)
    except BaseException:
        conn.close()
        raise
    return conn


def copy_database(source: Path, key: bytes, target: Path, progress: Progress | None = None) -> None:
    """Copy the live database ``source`` into the new file ``target``: one consistent snapshot, same key.

    First the encrypted file as it is (:func:`_copy_raw`: nothing decrypted, about 8x faster);
    when writers keep the WAL busy, page by page with the online backup API, which decrypts and
    re-encrypts each page. Either copy is checked by the caller (``check_database``) before it counts.
    """
    if not fsutil.create_private(target):
        raise FileExistsError(target)
    src = engine.connect(source, key)
    try:
        if _copy_raw(src, source, target, progress):
            dst = _raw_open(target, key)
            try:  # the copy stands alone: one file, no -wal beside it on the stick
                dst.execute("PRAGMA journal_mode = DELETE").fetchall()
            finally:
                dst.close()
            fsutil.fsync_file(target)
            return
        dst = _raw_open(target, key)
        try:
            # A file in .partial- that a crash leaves half-written never counts, so the copy needs no
            # journal and no syncs of its own: it is fsynced once, whole, and checked before it counts.
            dst.execute("PRAGMA journal_mode = OFF").fetchall()
            dst.execute("PRAGMA synchronous = OFF")
            dst.execute(f"PRAGMA cache_size = -{engine.PAGE_CACHE_KIB}")
            def step(_status, remaining, total):
                if progress is not None:
                    progress(total - remaining, total)

            # One read transaction over every step: the copy is that snapshot, and writers committing
            # meanwhile (WAL) neither block it nor make the backup API start over.
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            try:
                src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            finally:
                src.execute("ROLLBACK")
            # The copy stands alone: one file, no -wal beside it on the stick.
            dst.execute("PRAGMA journal_mode = DELETE").fetchall()
        finally:
            dst.close()
    finally:
        src.close()
    fsutil.fsync_file(target)


def _copy_raw(src, source: Path, target: Path, progress: Progress | None) -> bool:
    """The encrypted pages copied as bytes, inside a read transaction that began on an empty WAL.

    After a TRUNCATE checkpoint the database file alone is the newest state. A reader that begins
    then reads only that file, and while it holds its read lock no checkpoint may write into the
    file (writers go on appending to the WAL): the bytes copied are that one snapshot. If the
    checkpoint could not finish, or a writer committed before the read began, returns False and
    nothing was copied.
    """
    # A TRUNCATE checkpoint holds writers back while it waits for readers: wait briefly, never the
    # connection's 10 s, so a person saving meanwhile does not notice the backup.
    src.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
    try:
        busy = src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        src.execute(f"PRAGMA busy_timeout = {engine.BUSY_TIMEOUT_MS}")
    if not busy or busy[0]:
        return False
    wal = source.with_name(source.name + "-wal")
    src.execute("BEGIN")
    try:
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if wal.exists() and wal.stat().st_size:
            return False
        total = source.stat().st_size
        with source.open("rb") as fh, target.open("r+b") as out:
            done = 0
            for block in iter(lambda: fh.read(RAW_BLOCK), b""):
                out.write(block)
                done += len(block)
                if progress is not None:
                    progress(done // PAGE_BYTES, total // PAGE_BYTES)
            out.truncate(done)
        return True
    finally:
        src.execute("ROLLBACK")


def check_database(path: Path, key: bytes, *, structure: bool = False) -> str | None:
    """Open the copy with ``key``, check every page's HMAC and read it; returns its Alembic revision."""
    conn = _raw_open(path, key)
    try:
        conn.execute("PRAGMA query_only = ON")
        # Every page's HMAC: any page not written whole, or changed since, fails. The structure was
        # the live database's (`usulkan doctor` runs integrity_check on it); with ``structure`` it is
        # checked here too (quick_check).
        for pragma in ("cipher_integrity_check",) + (("quick_check",) if structure else ()):
            rows = conn.execute(f"PRAGMA {pragma}").fetchall()
            bad = [row[0] for row in rows if row[0] != "ok"]
            if bad:
                raise BackupIncomplete(f"{pragma}: {bad[0]}")
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except engine.driver().OperationalError:
            row = None
        return row[0] if row else None
    except engine.driver().DatabaseError as exc:
        raise BackupIncomplete(str(exc)) from exc
    finally:
        conn.close()


def write_backup(dest: Path, *, source: Path, key: bytes, vault_bytes: bytes, reason: str, now: datetime,
                 progress: Progress | None = None) -> BackupInfo:
    """Write, verify and publish one backup in ``dest``; the returned backup is complete."""
    if vault_database(vault_bytes, key) is None:
        raise BackupIncomplete("the vault copy does not belong to this data key")
    state = _State.from_bytes(vault_bytes)
    dest = fsutil.secure_mkdir(dest)
    name = backup_name(now, reason)
    partial = dest / f"{PARTIAL}{name}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        fsutil.write_atomic(partial / VAULT_FILE, vault_bytes)
        db = partial / state.database
        copy_database(source, key, db, progress)
        revision = check_database(db, key)
        manifest = {
            "format": FORMAT, "version": VERSION, "office_id": state.office_id,
            "created_at": aware(now).isoformat(), "reason": reason,
            "generation": state.generation, "database": state.database, "revision": revision,
            "db_size": db.stat().st_size, "db_sha256": _sha256(db),
            "vault_sha256": hashlib.sha256(vault_bytes).hexdigest(),
        }
        # The manifest is the last thing written: its presence is what makes the folder count.
        fsutil.write_atomic(partial / MANIFEST, json.dumps(manifest, indent=2).encode("utf-8"))
        fsutil.fsync_dir(partial)
        final = dest / name
        os.rename(partial, final)
        fsutil.fsync_dir(dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return read_manifest(final)


def read_manifest(path: Path) -> BackupInfo:
    """The backup's manifest, parsed (BackupIncomplete when missing or malformed)."""
    try:
        doc = json.loads((Path(path) / MANIFEST).read_bytes())
        if doc["format"] != FORMAT or doc["version"] != VERSION:
            raise ValueError("format")
        return BackupInfo(
            path=Path(path), office_id=str(doc["office_id"]), created_at=aware(datetime.fromisoformat(doc["created_at"])),
            reason=str(doc["reason"]), generation=int(doc["generation"]), database=str(doc["database"]),
            revision=doc.get("revision"), db_size=int(doc["db_size"]), db_sha256=str(doc["db_sha256"]),
            vault_sha256=str(doc["vault_sha256"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupIncomplete(f"no readable manifest in {Path(path).name}") from exc


def verify_files(path: Path, *, thorough: bool = True) -> BackupInfo:
    """The manifest, after checking the files against it (sizes always, SHA-256 when ``thorough``)."""
    info = read_manifest(path)
    db, vault = Path(path) / info.database, Path(path) / VAULT_FILE
    try:
        if db.stat().st_size != info.db_size:
            raise BackupIncomplete(f"{db.name} is {db.stat().st_size} bytes, not {info.db_size}")
        vault_bytes = vault.read_bytes()
    except OSError as exc:
        raise BackupIncomplete(str(exc)) from exc
    if hashlib.sha256(vault_bytes).hexdigest() != info.vault_sha256:
        raise BackupIncomplete("vault.json does not match the manifest")
    if thorough and _sha256(db) != info.db_sha256:
        raise BackupIncomplete(f"{db.name} does not match the manifest")
    return info


def complete_backups(dest: Path, *, thorough: bool = False) -> list[BackupInfo]:
    """Every backup in ``dest`` that checks out, oldest first; partial and damaged folders are left out."""
    found = []
    try:
        entries = list(Path(dest).iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(PREFIX) or not entry.is_dir():
            continue
        try:
            found.append(verify_files(entry, thorough=thorough))
        except BackupIncomplete:
            continue
    return sorted(found, key=lambda b: b.created_at)


def incomplete_folders(dest: Path) -> list[Path]:
    """Backup folders that do not count: leftovers of a crash, or copies that do not match their manifest."""
    bad = []
    try:
        entries = list(Path(dest).iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith((PARTIAL, DOOMED)):
            bad.append(entry)
        elif entry.name.startswith(PREFIX) and entry.is_dir():
            try:
                verify_files(entry, thorough=False)
            except BackupIncomplete:
                bad.append(entry)
    return bad


def remove_backup(path: Path) -> None:
    """Delete a backup folder so that a crash half-way leaves nothing that counts (renamed first)."""
    doomed = path.with_name(DOOMED + path.name)
    os.rename(path, doomed)
    fsutil.fsync_dir(path.parent)
    shutil.rmtree(doomed, ignore_errors=True)


def clear_leftovers(dest: Path) -> None:
    """Remove ``.partial-`` and ``.deleting-`` folders an interrupted run left."""
    try:
        entries = list(Path(dest).iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((PARTIAL, DOOMED)):
            shutil.rmtree(entry, ignore_errors=True)


def operators_in(path: Path) -> list[str]:
    """The names of the operators whose passphrases open the backup (read without writing to the stick)."""
    from app.storage.keyslot import OPERATOR

    try:
        state = _State.from_bytes((Path(path) / VAULT_FILE).read_bytes())
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return []
    return [slot.label for slot in state.slots if slot.kind == OPERATOR and not slot.pending]
