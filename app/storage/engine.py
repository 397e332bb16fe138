"""The office database: SQLCipher only, keyed with a raw 256-bit key, served through SQLAlchemy 2.

There is deliberately no path to plain SQLite: the stdlib ``sqlite3`` module is never imported
here, and a connection is refused unless SQLCipher itself accepts the key and reports its
version. Keys are given as raw keys (``x'<hex>'``), so SQLCipher runs no passphrase KDF: the
key already is 256 random bits, unwrapped from the vault (app/storage/vault.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from app.errors import UsulkanError
from app.i18n import N_
from app import fsutil

try:
    import sqlcipher3 as _sqlcipher3
except ImportError:  # pragma: no cover - the installer always ships it
    _sqlcipher3 = None

KEY_BYTES = 32
PAGE_CACHE_KIB = 64 * 1024
BUSY_TIMEOUT_MS = 10_000
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
# The execution option that makes a connection's transactions start with BEGIN IMMEDIATE.
BEGIN_OPTION = "usulkan_begin"
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


class StorageError(UsulkanError):
    template = N_("The office data could not be opened.")


class SqlCipherUnavailable(StorageError):
    template = N_("The encryption library (SQLCipher) is missing, so the office database stays closed.")
    hint = N_("Reinstall Usulkan. The database is never opened without encryption.")


class WrongKey(StorageError):
    template = N_("The key does not open the office database {name}.")
    hint = N_(
        "The database file does not belong to this key vault, or its first page is damaged."
        " Restore the office folder from a backup."
    )


class DatabaseDamaged(StorageError):
    template = N_("The office database {name} is damaged or is not a Usulkan database.")
    hint = N_("Restore the office folder from a backup.")


class DatabaseUnavailable(StorageError):
    template = N_("The office database {name} cannot be opened.")
    hint = N_("Check that the office folder exists, that you may write to it and that the disk is not full.")


def driver() -> ModuleType:
    """The sqlcipher3 DB-API module (SqlCipherUnavailable when it is not installed)."""
    if _sqlcipher3 is None:
        raise SqlCipherUnavailable()
    return _sqlcipher3


def _check_key(key: bytes) -> None:
    # A programming error, not an operator's: never put the key itself in the message.
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise ValueError(f"a data key is {KEY_BYTES} raw bytes")


def _raw_key_literal(key: bytes) -> str:
    return f"\"x'{bytes(key).hex()}'\""


def _failure(exc: Exception, path: Path) -> StorageError:
    """Name what went wrong when SQLCipher refuses a keyed file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == _SQLITE_CORRUPT:
        return DatabaseDamaged(name=path.name)
    if code != _SQLITE_NOTADB:
        # Locked, read-only, disk full, I/O error: the file may be fine, the machine is not.
        return DatabaseUnavailable(name=path.name)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(PLAIN_SQLITE_HEADER))
        size = path.stat().st_size
    except OSError:
        return DatabaseUnavailable(name=path.name)
    # An unencrypted SQLite file or a stub shorter than one page is never an office database.
    # Otherwise SQLCipher cannot tell a wrong key from a damaged first page (both fail the
    # page HMAC); the vault authenticates the key it hands over, so in practice it is damage.
    if head == PLAIN_SQLITE_HEADER or size < 512:
        return DatabaseDamaged(name=path.name)
    return WrongKey(name=path.name)


def _apply_key(conn, key: bytes) -> None:
    # A SQLite build without the codec ignores unknown pragmas silently and would go on to
    # write plain pages: insist on SQLCipher's own answers before anything is read or written.
    if conn.execute(f"PRAGMA key = {_raw_key_literal(key)}").fetchall() != [("ok",)]:
        raise SqlCipherUnavailable()
    version = conn.execute("PRAGMA cipher_version").fetchone()
    if not version or not version[0]:
        raise SqlCipherUnavailable()
    # The first read decrypts page 1: this is where a wrong key shows (SQLITE_NOTADB).
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _configure(conn, path: Path) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
    if not mode or str(mode[0]).lower() != "wal":
        raise DatabaseUnavailable(name=path.name)
    # FULL: a commit that returned is on disk, even if the power goes at the next instant.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    # SQLCipher decrypts and authenticates every page it reads from disk; the OS cache
    # keeps only ciphertext. A 64 MiB page cache of decrypted pages keeps the indexes of
    # 100,000 proposals hot (the default 2 MiB made NIK lookups 2.7x slower than plain).
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")


def connect(path: str | os.PathLike, key: bytes):
    """Open (or create, 0600) the SQLCipher database at ``path`` with the raw 32-byte ``key``.

    Returns a sqlcipher3 connection in autocommit mode (``isolation_level = None``): the
    caller, or the SQLAlchemy engine, emits BEGIN itself.
    """
    module = driver()
    _check_key(key)
    path = Path(path)
    try:
        # Created private before SQLite writes a byte; SQLite gives -wal/-shm the same mode.
        fsutil.create_private(path)
        conn = module.connect(
            str(path),
            isolation_level=None,
            check_same_thread=False,  # the engine's pool hands connections between threads
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
    except (OSError, module.Error) as exc:
        raise DatabaseUnavailable(name=path.name) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _apply_key(conn, key)
        _configure(conn, path)
    except module.DatabaseError as exc:
        conn.close()
        raise _failure(exc, path) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def make_engine(path: str | os.PathLike, key: bytes) -> Engine:
    """A SQLAlchemy engine on the office database whose ``begin()`` is a real SQLite transaction.

    Every pooled connection comes from :func:`connect`; one is opened before this returns, so
    WrongKey / DatabaseDamaged / DatabaseUnavailable surface here. pysqlite's own transaction handling
    (which skips BEGIN before some statements) is switched off and the engine emits BEGIN
    itself, as SQLAlchemy documents for pysqlite; see :func:`immediate` for write transactions.
    """
    module = driver()
    _check_key(key)
    path = Path(path)
    engine = create_engine(
        # The URL only names the dialect and the file for repr(); the creator opens it.
        URL.create("sqlite", database=str(path)),
        module=module,
        creator=lambda: connect(path, key),
        poolclass=QueuePool,
    )

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        mode = conn.get_execution_options().get(BEGIN_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

    # Open one connection now: a wrong key or a damaged file is reported here, typed, and a
    # new database file exists (0600) when this returns.
    try:
        engine.connect().close()
    except BaseException:
        engine.dispose()
        raise
    return engine


def immediate(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions start with BEGIN IMMEDIATE.

    Use it for a transaction that will write: it takes the write lock up front, so a
    concurrent writer waits (busy_timeout) instead of failing half-way with SQLITE_BUSY when
    a read transaction tries to upgrade.
    """
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def cipher_version(engine: Engine) -> str:
    """The SQLCipher version the engine's connections run on (e.g. ``4.19.0 community``)."""
    with engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA cipher_version").scalar_one()


def integrity_problems(engine: Engine) -> list[str]:
    """Every problem SQLCipher's page HMACs and SQLite's structure check find; [] when sound."""
    problems: list[str] = []
    raw = engine.raw_connection()
    try:
        for pragma in ("cipher_integrity_check", "integrity_check"):
            try:
                rows = raw.driver_connection.execute(f"PRAGMA {pragma}").fetchall()
            except driver().DatabaseError as exc:
                problems.append(f"{pragma}: {exc}")
                continue
            problems.extend(f"{pragma}: {row[0]}" for row in rows if row[0] != "ok")
    finally:
        raw.close()
    return problems


def export_copy(src_path: str | os.PathLike, src_key: bytes, dst_path: str | os.PathLike, dst_key: bytes) -> None:
    """Write an encrypted copy of the database at ``src_path`` to the new file ``dst_path``.

    Uses SQLCipher's own export (ATTACH ... KEY, ``sqlcipher_export``), so the copy is a
    consistent snapshot even while other connections write, and it is re-encrypted page by
    page under ``dst_key`` (the same key for a backup, a new one for a re-key). The copy is
    synced to disk before this returns. ``dst_path`` must not exist.
    """
    _check_key(dst_key)
    dst = Path(dst_path)
    if not Path(src_path).is_file():
        raise DatabaseUnavailable(name=Path(src_path).name)  # connect() would create it empty
    if not fsutil.create_private(dst):
        raise FileExistsError(dst)
    conn = connect(src_path, src_key)
    try:
        export_on(conn, Path(src_path).name, dst, dst_key)
    except BaseException:
        conn.close()
        fsutil.remove_files(database_files(dst))
        raise
    conn.close()
    fsutil.fsync_file(dst)
    fsutil.fsync_dir(dst.parent)


def export_on(conn, src_name: str, dst: Path, dst_key: bytes) -> None:
    """Export the database ``src_name`` open on ``conn`` into the empty file ``dst`` under ``dst_key``."""
    module = driver()
    try:
        # Bound parameters keep the key out of the statement text.
        conn.execute("ATTACH DATABASE ? AS usulkan_export KEY ?", (str(dst), f"x'{bytes(dst_key).hex()}'"))
        try:
            conn.execute("SELECT sqlcipher_export('usulkan_export')").fetchall()
            # sqlcipher_export copies schema and rows but not the header's user_version.
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA usulkan_export.user_version = {int(version)}")
        finally:
            conn.execute("DETACH DATABASE usulkan_export")
    except module.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            raise DatabaseDamaged(name=src_name) from exc
        raise DatabaseUnavailable(name=dst.name) from exc


def database_files(path: str | os.PathLike) -> list[Path]:
    """The database file and the journal files SQLite may keep beside it."""
    path = Path(path)
    return [path] + [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
