"""The office database is SQLCipher or nothing: no plaintext on disk, wrong keys and damage are named."""

from __future__ import annotations

import os
import secrets
import sqlite3  # only to show that plain SQLite cannot read the file
import stat

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.storage import engine as storage_engine
from app.storage.engine import (
    DatabaseDamaged,
    DatabaseUnavailable,
    SqlCipherUnavailable,
    StorageError,
    WrongKey,
    cipher_version,
    connect,
    export_copy,
    immediate,
    integrity_problems,
    make_engine,
)

NIK = "3571014708850003"
NAME = "SITI AMINAH"
PAGE = 4096


@pytest.fixture
def key():
    return secrets.token_bytes(32)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "office-1.db"


@pytest.fixture
def engine(db, key):
    engine = make_engine(db, key)
    yield engine
    engine.dispose()


def files_of(db):
    return [p for p in db.parent.iterdir() if p.name.startswith(db.name)]


def fill(engine, rows=300):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS member (id INTEGER PRIMARY KEY, nik TEXT, name TEXT)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_member_nik ON member (nik)"))
        for i in range(rows):
            conn.execute(
                text("INSERT INTO member (nik, name) VALUES (:nik, :name)"), {"nik": NIK, "name": f"{NAME} {i}"}
            )


def test_no_nik_or_name_in_clear_in_any_file_while_open_and_after_close(engine, db):
    fill(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM member WHERE nik = :n"), {"n": NIK}).scalar_one() == 300
        names = {p.name for p in files_of(db)}
        assert {db.name, db.name + "-wal", db.name + "-shm"} <= names  # the WAL holds the rows now
        assert (db.parent / (db.name + "-wal")).stat().st_size > 0
        for path in files_of(db):
            raw = path.read_bytes()
            assert NIK.encode() not in raw and NAME.encode() not in raw, path.name
    engine.dispose()
    assert files_of(db)
    for path in files_of(db):
        raw = path.read_bytes()
        assert NIK.encode() not in raw and NAME.encode() not in raw, path.name
    assert db.read_bytes()[:16] != b"SQLite format 3\x00"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_a_new_database_and_its_journals_are_private(tmp_path, key):
    old = os.umask(0o000)
    try:
        path = tmp_path / "new.db"
        engine = make_engine(path, key)
        fill(engine, rows=5)
        with engine.connect():
            for file in files_of(path):
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        engine.dispose()
    finally:
        os.umask(old)


def test_the_wrong_key_opens_nothing(engine, db):
    fill(engine, rows=3)
    engine.dispose()
    with pytest.raises(WrongKey) as info:
        connect(db, secrets.token_bytes(32))
    assert info.value.message()
    with pytest.raises(WrongKey):
        make_engine(db, secrets.token_bytes(32))


def test_plain_sqlite_cannot_read_it(engine, db):
    fill(engine, rows=3)
    engine.dispose()
    plain = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            plain.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        plain.close()


def test_a_plain_sqlite_file_is_refused_not_opened(tmp_path, key):
    path = tmp_path / "plain.db"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    with pytest.raises(DatabaseDamaged):
        connect(path, key)


def test_a_flipped_byte_in_a_middle_page_is_detected(engine, db, key):
    fill(engine, rows=2000)
    engine.dispose()
    data = bytearray(db.read_bytes())
    pages = len(data) // PAGE
    assert pages >= 10
    offset = (pages // 2) * PAGE + 200
    data[offset] ^= 0x01
    db.write_bytes(bytes(data))
    try:
        damaged = make_engine(db, key)
        try:
            assert integrity_problems(damaged) != []
        finally:
            damaged.dispose()
    except DatabaseDamaged:
        pass


def test_a_flipped_byte_in_the_first_page_stops_the_open(engine, db, key):
    fill(engine, rows=10)
    engine.dispose()
    data = bytearray(db.read_bytes())
    data[100] ^= 0x80
    db.write_bytes(bytes(data))
    # SQLCipher cannot tell a damaged page 1 from a wrong key; either way nothing opens.
    with pytest.raises(StorageError):
        connect(db, key)


def test_a_sound_database_has_no_integrity_problems(engine):
    fill(engine, rows=50)
    assert integrity_problems(engine) == []


def test_settings_of_every_connection(engine):
    assert cipher_version(engine).startswith("4.")
    with engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL: a commit that returned survives a power cut
        assert pragma("foreign_keys") == 1
        assert pragma("secure_delete") == 1
        assert pragma("busy_timeout") > 0


def test_without_sqlcipher_nothing_is_opened(tmp_path, key, monkeypatch):
    monkeypatch.setattr(storage_engine, "_sqlcipher3", None)
    with pytest.raises(SqlCipherUnavailable):
        make_engine(tmp_path / "x.db", key)


def test_a_sqlite_without_the_codec_is_refused_before_it_writes(tmp_path, key, monkeypatch):
    # A DB-API module linked to plain SQLite ignores PRAGMA key: it must not get to write.
    monkeypatch.setattr(storage_engine, "_sqlcipher3", sqlite3)
    path = tmp_path / "x.db"
    with pytest.raises(SqlCipherUnavailable):
        connect(path, key)
    assert path.stat().st_size == 0


def test_a_missing_folder_is_a_clear_error(tmp_path, key):
    with pytest.raises(DatabaseUnavailable):
        connect(tmp_path / "nowhere" / "x.db", key)
    with pytest.raises(DatabaseUnavailable):
        make_engine(tmp_path / "nowhere" / "x.db", key)


def test_make_engine_creates_a_new_database_at_once(tmp_path, key):
    path = tmp_path / "new.db"
    engine = make_engine(path, key)
    try:
        assert path.is_file()
        if os.name != "nt":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        engine.dispose()


def test_a_key_is_32_raw_bytes(tmp_path):
    with pytest.raises(ValueError):
        make_engine(tmp_path / "x.db", b"passphrase")


def test_begin_is_a_real_transaction_including_ddl(engine):
    fill(engine, rows=1)
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            assert conn.connection.driver_connection.in_transaction
            conn.execute(text("CREATE TABLE scratch (x)"))
            conn.execute(text("DELETE FROM member"))
            raise RuntimeError("undo all of it")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM member")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'scratch'")).scalar_one() == 0


def test_savepoints_roll_back_only_their_part(engine):
    fill(engine, rows=0)
    with Session(engine) as session, session.begin():
        session.execute(text("INSERT INTO member (nik, name) VALUES ('1', 'kept')"))
        try:
            with session.begin_nested():
                session.execute(text("INSERT INTO member (nik, name) VALUES ('2', 'undone')"))
                raise RuntimeError
        except RuntimeError:
            pass
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM member")).scalars().all() == ["kept"]


def test_immediate_takes_the_write_lock_at_begin(engine, db, key):
    fill(engine, rows=0)
    other = connect(db, key)
    other.execute("PRAGMA busy_timeout = 0")
    try:
        with immediate(engine).begin():
            with pytest.raises(Exception, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_export_copy_reencrypts_under_the_new_key(engine, db, key, tmp_path):
    fill(engine, rows=20)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA user_version = 7")
    new_key = secrets.token_bytes(32)
    copy = tmp_path / "copy.db"
    export_copy(db, key, copy, new_key)  # while the engine is open: a consistent snapshot
    with pytest.raises(WrongKey):
        connect(copy, key)
    copied = make_engine(copy, new_key)
    try:
        with copied.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM member")).scalar_one() == 20
            assert conn.exec_driver_sql("PRAGMA user_version").scalar_one() == 7
        assert integrity_problems(copied) == []
    finally:
        copied.dispose()
    assert NIK.encode() not in copy.read_bytes()
    if os.name != "nt":
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        export_copy(db, key, copy, new_key)


def test_export_copy_of_a_missing_database_creates_nothing(tmp_path, key):
    with pytest.raises(DatabaseUnavailable):
        export_copy(tmp_path / "missing.db", key, tmp_path / "copy.db", key)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_errors_name_no_secret(db):
    error = WrongKey(name=db.name)
    assert "{name}" in str(error) and db.name not in str(error)
    assert db.name in error.message()
