"""Backup benchmark: back up and restore an office of N proposals, against plain sqlite3's backup API on the same data.

Run: .venv/bin/python -m bench.backup [--count 100000]
The office is a real one (create_office, fast test KDF) with N proposals, households and members
loaded as bench/storage does. Measured in the same run:

- Usulkan backup: the SQLCipher online backup API copy, both integrity checks, a test open, the
  manifest's SHA-256, fsync and rename (``backup.write_office_backup``), and its copy step alone;
- Usulkan restore: the full check of the backup, the copy to a staging folder, its check, the
  unlock (Argon2id with test parameters: a real unlock adds ~0.5 s) and the migration check
  (``restore.restore_backup``);
- baseline: the same data in a plain (unencrypted) SQLite file, copied with stdlib ``sqlite3``'s
  backup API, and that copy copied back (what a "restore" of a plain file is);
- the ways of copying the encrypted database (bench.backup_copy), each against that baseline;
- the restore's reconciliation with a server holding --reconcile-items of its items (bench.backup_reconcile).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from app.services import backup, restore
from app.services.office import create_office, find_operator, open_office
from app.storage import backup_files
from app.storage.vault import KdfParams
from bench import backup_copy
from bench.backup_reconcile import measure_reconcile
from bench.storage import load, seed_operator

PASS = "kata sandi bench operator"


def _plain_copy(source: Path, target: Path) -> float:
    started = time.perf_counter()
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--reconcile-items", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = tmp / "office"
        create_office(folder, name="Kelurahan Bench", village_code="35.75.03.1009", lurah_name="Bapak Lurah",
                      lurah_passphrase="kata sandi bench lurah", operator_name="Ani Operator",
                      operator_passphrase=PASS, kdf=KdfParams.for_tests())
        ctx = open_office(folder, find_operator(folder, "Ani Operator"), PASS)
        seed_operator(ctx.engine)
        seconds, members, _niks, _kks = load(ctx.engine, args.count)
        print(f"loaded {args.count:,} proposals, {members:,} members in {seconds:.1f} s")
        key = ctx.data_key

        # Baseline data: the very same pages, decrypted into a plain SQLite file.
        plain = tmp / "plain.db"
        raw = ctx.engine.raw_connection()
        try:
            conn = raw.driver_connection
            conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
            conn.execute("SELECT sqlcipher_export('plain')").fetchall()
            conn.execute("DETACH DATABASE plain")
        finally:
            raw.close()

        started = time.perf_counter()
        info = backup.write_office_backup(folder, key, reason="bench", dest=tmp / "stick")
        full_backup = time.perf_counter() - started
        started = time.perf_counter()
        backup_files.copy_database(ctx.vault.database_path, key, tmp / "copy-only.db")
        copy_only = time.perf_counter() - started
        ways = backup_copy.measure(ctx.vault.database_path, key, tmp)
        ctx.close()

        plain_backup = _plain_copy(plain, tmp / "plain-backup.db")
        plain_restore = _plain_copy(tmp / "plain-backup.db", tmp / "plain-restored.db")

        started = time.perf_counter()
        restored = restore.restore_backup(info.path, tmp / "restored", operator="Ani Operator", passphrase=PASS)
        full_restore = time.perf_counter() - started
        restored.close()
        size = info.db_size / 1e6
        plain_size = plain.stat().st_size / 1e6
        reconciled = measure_reconcile(tmp / "reconcile", args.reconcile_items) if args.reconcile_items else None

    print(f"\nbench/backup: {args.count:,} proposals, {members:,} members (cpu count {os.cpu_count()})\n")
    print(f"{'measure':44} {'Usulkan':>9} {'plain':>9} {'ratio':>7}")
    print("-" * 72)
    rows = (
        ("backup, copy only (as backups copy now) s", copy_only, plain_backup),
        ("backup, verified + fsync + manifest s", full_backup, plain_backup),
        ("restore, checked + staged + unlocked s", full_restore, plain_restore),
    )
    for label, ours, base in rows:
        print(f"{label:44} {ours:9.2f} {base:9.2f} {ours / base:6.2f}x")
    print(f"{'database size MB':44} {size:9.1f} {plain_size:9.1f} {size / plain_size:6.2f}x")
    print("\nways of copying the encrypted database (each verified), against the plain backup-API copy:")
    for name, seconds in ways.items():
        print(f"{'  ' + name + ' s':44} {seconds:9.2f} {plain_backup:9.2f} {seconds / plain_backup:6.2f}x")
    if reconciled is not None:
        print(f"\nreconcile after restore: {reconciled.items:,} items in {reconciled.batches} batches at the server: "
              f"{reconciled.seconds:.2f} s, {reconciled.per_second:,.0f} items/s")


if __name__ == "__main__":
    main()
