"""The backup copy of the encrypted file as bytes: one snapshot even when writers commit during it, else the backup API."""

from __future__ import annotations

import os

from app.storage import backup_files, engine


def _database(tmp_path, rows: int = 3000):
    key = os.urandom(32)
    path = tmp_path / "office.db"
    conn = engine.connect(path, key)
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, x BLOB)")
    conn.execute("BEGIN")
    for n in range(rows):
        conn.execute("INSERT INTO t (x) VALUES (randomblob(3000))")
    conn.execute("COMMIT")
    return path, key, conn


def _count(path, key) -> int:
    conn = backup_files._raw_open(path, key)
    try:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        conn.close()


def _spy(monkeypatch) -> list[bool]:
    used: list[bool] = []
    real = backup_files._copy_raw

    def spy(*args):
        used.append(real(*args))
        return used[-1]

    monkeypatch.setattr(backup_files, "_copy_raw", spy)
    return used


def test_writers_committing_during_the_raw_copy_do_not_reach_it(tmp_path, monkeypatch):
    path, key, writer = _database(tmp_path)
    used = _spy(monkeypatch)
    calls = []

    def progress(done, total):  # between blocks of the copy, another connection commits and checkpoints
        calls.append(done)
        writer.execute("INSERT INTO t (x) VALUES (randomblob(3000))")
        writer.execute("UPDATE t SET x = randomblob(3000) WHERE n % 7 = 0")
        writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    target = tmp_path / "copy.db"
    backup_files.copy_database(path, key, target, progress)
    assert used == [True] and len(calls) > 1  # the raw path, over several blocks
    backup_files.check_database(target, key, structure=True)
    assert _count(target, key) == 3000  # the snapshot at the start, none of the rows written meanwhile
    assert _count(path, key) == 3000 + len(calls)
    assert not (tmp_path / "copy.db-wal").exists()  # the copy stands alone
    writer.close()


def test_a_reader_holding_the_wal_makes_it_fall_back_to_the_backup_api(tmp_path, monkeypatch):
    path, key, writer = _database(tmp_path, rows=200)
    reader = engine.connect(path, key)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO t (x) VALUES (randomblob(3000))")  # frames in the WAL ...
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # ... that this open read needs: no TRUNCATE
    writer.execute("INSERT INTO t (x) VALUES (randomblob(3000))")
    used = _spy(monkeypatch)
    target = tmp_path / "copy.db"
    backup_files.copy_database(path, key, target)
    reader.execute("ROLLBACK")
    assert used == [False]
    backup_files.check_database(target, key, structure=True)
    assert _count(target, key) == 202
    reader.close()
    writer.close()


def test_a_busy_checkpoint_gives_up_quickly_instead_of_holding_writers_back(tmp_path, monkeypatch):
    import time

    path, key, writer = _database(tmp_path, rows=50)
    reader = engine.connect(path, key)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO t (x) VALUES (randomblob(3000))")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()
    writer.execute("INSERT INTO t (x) VALUES (randomblob(3000))")
    used = _spy(monkeypatch)
    started = time.monotonic()
    backup_files.copy_database(path, key, tmp_path / "copy.db")
    assert used == [False] and time.monotonic() - started < 5  # not the connection's 10 s busy wait
    reader.execute("ROLLBACK")
    reader.close()
    writer.close()
