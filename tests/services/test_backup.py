"""Backups: SQLCipher copy + vault of that moment, verified, rotated, and restorable on a fresh install."""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.services import backup, restore
from app.services.backup_rotation import to_keep
from app.services.office import open_office
from app.storage import backup_files
from app.storage.engine import make_engine
from app.storage.vault import UnknownOperator, Vault, WrongPassphrase
from tests.conftest import LURAH_PASS, OPERATOR_PASS
from tests.fakes.sync_world import ready_proposal

# Rows the restore itself adds: its unlock and restore entries, and the reconcile request.
GROWS_ON_RESTORE = {"audit_entry", "data_repair"}


def _dump(engine) -> dict[str, list]:
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                                   " AND name NOT LIKE 'member_name_fts%'")).scalars().all()
        return {t: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}" ORDER BY rowid'))] for t in tables}


def _dump_folder(folder, operator_id, passphrase):
    vault = Vault.load(folder)
    engine = make_engine(vault.database_path, vault.unlock_operator(operator_id, passphrase))
    try:
        return _dump(engine)
    finally:
        engine.dispose()


def test_backup_destroy_restore_gives_back_every_table(tmp_path, office, created_office):
    folder, created = created_office
    for n in (1, 2, 3):
        ready_proposal(office, n)
    dest = tmp_path / "stick"
    dest.mkdir()
    backup.set_backup_folder(office, dest)
    info = backup.write_office_backup(folder, office.data_key, reason="manual")
    before = _dump(office.engine)
    before_id = restore.installation_id(folder)
    assert before_id is not None
    office.close()
    shutil.rmtree(folder)  # the PC died

    assert [b.name for b in backup.list_backups(dest, thorough=True)] == [info.name]
    fresh = tmp_path / "new-pc" / "office"
    ctx = restore.restore_backup(info.path, fresh, operator="Ani Operator", passphrase=OPERATOR_PASS)
    ctx.close()
    after = _dump_folder(fresh, created.operator_id, OPERATOR_PASS)
    assert set(after) == set(before)
    assert sum(len(rows) for rows in before.values()) > 50
    for table, rows in before.items():
        if table == "audit_head":  # the one-row pointer to the newest entry moved on
            assert after[table][0][1] > rows[0][1]
        elif table in GROWS_ON_RESTORE:
            assert after[table][: len(rows)] == rows, table
        else:
            assert after[table] == rows, table
    assert len(after["proposal"]) == 3
    assert restore.installation_id(fresh) is not None
    assert restore.installation_id(fresh) != before_id  # a new identity: never mistaken for the old PC
    # The backup itself was not touched by the restore.
    backup_files.verify_files(info.path, thorough=True)


def test_a_backup_opens_with_the_passphrases_of_its_moment(tmp_path, office, created_office, fast_kdf):
    from app.services.office import change_passphrase

    folder, created = created_office
    info = backup.create_backup(office, reason="manual", dest=tmp_path / "stick")
    change_passphrase(office, OPERATOR_PASS, "sebuah frasa sandi baru yang panjang", fast_kdf)
    later = backup.create_backup(office, reason="manual", dest=tmp_path / "stick2")
    with pytest.raises(WrongPassphrase):
        restore.restore_backup(info.path, tmp_path / "a", operator="Ani Operator",
                               passphrase="sebuah frasa sandi baru yang panjang")
    assert not (tmp_path / "a").exists() and not (tmp_path / "a.restoring").exists()
    restore.restore_backup(info.path, tmp_path / "b", operator="Ani Operator", passphrase=OPERATOR_PASS).close()
    restore.restore_backup(later.path, tmp_path / "c", operator="Ani Operator",
                           passphrase="sebuah frasa sandi baru yang panjang").close()


def test_restore_with_the_recovery_code_acts_as_the_lurah(tmp_path, office, created_office):
    _folder, created = created_office
    info = backup.create_backup(office, dest=tmp_path / "stick")
    ctx = restore.restore_backup(info.path, tmp_path / "new", recovery_code=created.recovery_code)
    try:
        assert ctx.operator_role == "lurah"
        assert restore.reconcile_pending(ctx)
    finally:
        ctx.close()


def test_restore_refuses_an_existing_office(tmp_path, office, created_office):
    folder, _ = created_office
    info = backup.create_backup(office, dest=tmp_path / "stick")
    with pytest.raises(restore.RestoreTargetInUse):
        restore.restore_backup(info.path, folder, operator="Ani Operator", passphrase=OPERATOR_PASS)


def test_a_truncated_backup_is_incomplete_and_never_restored(tmp_path, office):
    dest = tmp_path / "stick"
    dest.mkdir()
    backup.set_backup_folder(office, dest)
    good = backup.create_backup(office, reason="daily")
    ready_proposal(office, 7)
    bad = backup.create_backup(office, dest=dest, reason="manual")
    db = bad.path / bad.database
    with db.open("r+b") as fh:  # the stick was pulled: the end of the file never arrived
        fh.truncate(db.stat().st_size // 2)
    names = [b.name for b in backup.list_backups(dest)]
    assert bad.name not in names and good.name in names
    assert bad.path in backup_files.incomplete_folders(dest)
    with pytest.raises(restore.BackupNotUsable):
        restore.restore_backup(bad.path, tmp_path / "new", operator="Ani Operator", passphrase=OPERATOR_PASS)
    health = backup.health(office.folder, office.office_id)
    assert health.newest.name == good.name and health.incomplete == 1


def test_a_flipped_byte_fails_the_thorough_check(tmp_path, office):
    info = backup.create_backup(office, dest=tmp_path / "stick")
    db = info.path / info.database
    data = bytearray(db.read_bytes())
    data[5000] ^= 0xFF
    db.write_bytes(bytes(data))
    assert backup.list_backups(tmp_path / "stick") != []  # sizes still match
    assert backup.list_backups(tmp_path / "stick", thorough=True) == []
    with pytest.raises(restore.BackupNotUsable):
        restore.describe(info.path)


def test_a_missing_stick_is_reported_not_written_beside_it(tmp_path, office):
    stick = tmp_path / "media" / "USB"
    backup.set_backup_folder(office, stick)
    with pytest.raises(backup.BackupFolderMissing):
        backup.create_backup(office)
    assert not stick.exists()
    health = backup.health(office.folder, office.office_id)
    assert health.folder_missing and not health.ok


def test_the_backup_is_encrypted_and_names_no_plain_data(tmp_path, office):
    ready_proposal(office, 9)
    info = backup.create_backup(office, dest=tmp_path / "stick")
    raw = (info.path / info.database).read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"proposal" not in raw and b"Ani Operator" not in raw
    assert oct((info.path / info.database).stat().st_mode & 0o777) == "0o600"


def test_rotation_keeps_7_daily_4_weekly_12_monthly():
    start = datetime(2025, 1, 1, 20, tzinfo=UTC)
    items = [(f"b{i}", start + timedelta(days=i), "daily") for i in range(400)]
    keep = to_keep(items)
    newest = start + timedelta(days=399)
    days = sorted((start + timedelta(days=int(name[1:])) for name in keep), reverse=True)
    assert newest in days
    assert all(newest - d < timedelta(days=7) for d in days[:7])
    assert len({d.isocalendar()[:2] for d in days}) >= 4
    assert len({(d.year, d.month) for d in days}) == 12
    assert len(keep) <= 7 + 4 + 12 + 1
    # Several the same day: only the newest of the day counts, but a pre-migration one stays.
    same_day = [("a", start, "daily"), ("b", start + timedelta(hours=1), "before-0012"), ("c", start + timedelta(hours=2), "manual")]
    assert to_keep(same_day) == {"b", "c"}


def test_rotation_runs_after_each_backup(tmp_path, office):
    dest = tmp_path / "stick"
    base = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for day in range(12):
        backup.write_office_backup(office.folder, office.data_key, reason="daily", dest=dest,
                                   now=base + timedelta(days=day))
    kept = backup.list_backups(dest)
    assert 7 <= len(kept) <= 9
    assert kept[-1].created_at == base + timedelta(days=11)


def test_the_pre_migration_backup_is_a_verified_backup(tmp_path, office, created_office):
    from app.storage import migrate

    folder, created = created_office
    office.close()
    vault = Vault.load(folder)
    engine = make_engine(vault.database_path, vault.unlock_operator(created.operator_id, OPERATOR_PASS))
    migrate.downgrade(engine, "0013")
    engine.dispose()
    ctx = open_office(folder, created.operator_id, OPERATOR_PASS)
    ctx.close()
    [made] = backup.list_backups(folder / "backups", thorough=True)
    assert made.reason == "before-0013" and made.revision == "0013"


def test_sigkill_during_backup_never_leaves_a_half_backup_that_counts(tmp_path, office):
    """Kill a backup at random instants, 120 times: the previous one stays whole, and only whole ones count."""
    for n in range(1, 6):
        ready_proposal(office, n)
    dest = tmp_path / "stick"
    base = datetime(2026, 1, 1, 12, tzinfo=UTC)
    first = backup.write_office_backup(office.folder, office.data_key, reason="daily", dest=dest, now=base)
    started = time.monotonic()  # how long one backup takes in a forked child, to kill it anywhere in it
    pid = os.fork()
    if pid == 0:
        try:
            backup.write_office_backup(office.folder, office.data_key, reason="manual", dest=tmp_path / "timing", now=base)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    duration = time.monotonic() - started
    rng = random.Random(12)
    previous, finished, midway = first.name, 0, 0
    for i in range(1, 121):
        pid = os.fork()
        if pid == 0:  # the child: one backup, then out without any cleanup
            try:
                backup.write_office_backup(office.folder, office.data_key, reason="daily", dest=dest,
                                           now=base + timedelta(days=i))
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, duration * 2))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        midway += any(p.name.startswith(backup_files.PARTIAL) for p in dest.iterdir())
        counted = backup.list_backups(dest)
        names = [b.name for b in counted]
        assert previous in names or (names and names[-1] > previous), i
        for item in counted[-2:]:  # whatever counts matches its manifest, opens and checks out
            backup_files.verify_files(item.path, thorough=True)
            backup_files.check_database(item.path / item.database, office.data_key)
        if names[-1] != previous:
            finished += 1
            previous = names[-1]
    assert midway > 10 and finished > 0  # many were killed half-way through writing, some got through


def test_a_backup_taken_while_the_office_writes_is_one_snapshot(tmp_path, office):
    import threading

    from sqlalchemy import text as sql

    with office.engine.begin() as conn:
        conn.execute(sql("CREATE TABLE bench_rows (x BLOB)"))
        conn.execute(sql("INSERT INTO bench_rows VALUES (randomblob(3000))"))
        for _ in range(12):
            conn.execute(sql("INSERT INTO bench_rows SELECT randomblob(3000) FROM bench_rows LIMIT 500"))
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            with office.engine.begin() as conn:
                conn.execute(sql("INSERT INTO bench_rows VALUES (randomblob(3000))"))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        info = backup.create_backup(office, dest=tmp_path / "stick")
    finally:
        stop.set()
        thread.join()
    backup_files.check_database(info.path / info.database, office.data_key, structure=True)


def test_revoking_someone_makes_a_backup_their_passphrase_no_longer_opens(tmp_path, office, created_office):
    from app.services.office import remove_operator

    folder, created = created_office
    stick = tmp_path / "stick"
    stick.mkdir()
    backup.set_backup_folder(office, stick)
    office.close()
    lurah = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        remove_operator(lurah, created.operator_id)
    finally:
        lurah.close()
    [made] = backup.list_backups(stick, thorough=True)
    assert made.reason == "revocation"
    assert backup_files.operators_in(made.path) == ["Bapak Lurah"]
    with pytest.raises(UnknownOperator):
        restore.restore_backup(made.path, tmp_path / "a", operator="Ani Operator", passphrase=OPERATOR_PASS)
    restore.restore_backup(made.path, tmp_path / "b", operator="Bapak Lurah", passphrase=LURAH_PASS).close()


def test_a_copy_damaged_while_written_never_counts(tmp_path, office, monkeypatch):
    """A bad sector or a flaky stick flips a byte of the copy before it is checked: refused, nothing counts."""
    real = backup_files.copy_database

    def flaky(source, key, target, progress=None):
        real(source, key, target, progress)
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))

    monkeypatch.setattr(backup_files, "copy_database", flaky)
    dest = tmp_path / "stick"
    with pytest.raises(backup.BackupFailed):
        backup.create_backup(office, dest=dest)
    assert backup.list_backups(dest) == [] and list(dest.iterdir()) == []


def test_the_pre_migration_copy_goes_to_this_disk_when_the_stick_is_missing(tmp_path, office, created_office):
    from app.storage import migrate

    folder, created = created_office
    backup.set_backup_folder(office, tmp_path / "stick-not-plugged-in")
    office.close()
    vault = Vault.load(folder)
    engine = make_engine(vault.database_path, vault.unlock_operator(created.operator_id, OPERATOR_PASS))
    migrate.downgrade(engine, "0013")
    engine.dispose()
    open_office(folder, created.operator_id, OPERATOR_PASS).close()
    [made] = backup.list_backups(folder / "backups")
    assert made.reason == "before-0013"
