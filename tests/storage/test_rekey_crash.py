"""A re-key killed at any moment leaves the office whole: old key or new key, never neither.

Two kinds of kill on the child (crash_rekey.py) running remove_operator_and_rekey: at each
file step in turn (so every boundary around the commit point is hit), and at random moments
across the measured length of a re-key (so kills land inside SQLCipher's export too).
"""

from __future__ import annotations

import os
import random
import secrets
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app.storage.engine import WrongKey, connect, integrity_problems, make_engine
from app.storage.vault import Vault
from tests.storage.childproc import Child

HELPER = Path(__file__).with_name("crash_rekey.py")
ANI, ANI_PASS = "op-ani", "sandi ani 123"
RANDOM_KILLS = int(os.environ.get("USULKAN_REKEY_CRASH_ITERATIONS", "24"))
FILE_STEPS = 12  # more than the re-key takes, so the last ones let it finish
ROWS = 20_000  # ~4 MB: the export takes long enough for random kills to land inside it


def write(vault: Vault, key: bytes, first: int, count: int) -> None:
    engine = make_engine(vault.database_path, key)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO person (id, nik, note) VALUES (:id, :nik, :note)"),
                [{"id": i, "nik": f"3571{i:012d}", "note": "x" * 150} for i in range(first, first + count)],
            )
    finally:
        engine.dispose()


def check_database(vault: Vault, key: bytes, rows: int) -> None:
    engine = make_engine(vault.database_path, key)
    try:
        assert integrity_problems(engine) == []
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*), max(id) FROM person")).one() == (rows, rows)
    finally:
        engine.dispose()


@pytest.fixture
def office(tmp_path, fast_kdf):
    folder = tmp_path / "office"
    vault, key = Vault.create(folder, "office-crash")
    vault.add_operator_slot(key, ANI, "Ani", ANI_PASS, fast_kdf)
    vault.add_operator_slot(key, "op-budi", "Budi", "sandi budi 456", fast_kdf)
    vault.set_recovery_slot(key, fast_kdf)
    engine = make_engine(vault.database_path, key)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, nik TEXT NOT NULL, note TEXT)"))
    engine.dispose()
    write(vault, key, 1, ROWS)
    return folder


def run_once(folder: Path, fast_kdf, iteration: int, rows: int, kill) -> tuple[int, float | None]:
    """Add a victim, let a child remove it and re-key, kill it per ``kill``; check the office.

    Returns the new row count and, when the child finished, how long its re-key took.
    """
    vault = Vault.load(folder)
    key = vault.unlock_operator(ANI, ANI_PASS)
    victim = f"op-leaving-{iteration}"
    vault.add_operator_slot(key, victim, f"Leaving {iteration}", "sandi pergi", fast_kdf)
    write(vault, key, rows + 1, 1)  # every generation holds something new
    rows += 1
    generation = vault.generation

    step = kill if isinstance(kill, int) else -1
    child = Child([str(HELPER), str(folder), victim, ANI, str(step)], ANI_PASS)
    assert child.next_line() == "ready\n"
    started = time.monotonic()
    took = None
    if isinstance(kill, float):
        time.sleep(kill)
        child.kill()
    else:
        child.proc.wait(timeout=120)
        if child.proc.returncode == 0:
            took = time.monotonic() - started
    lines = child.finish()
    finished = "done\n" in lines

    vault = Vault.load(folder)
    now_key = vault.unlock_operator(ANI, ANI_PASS)
    if vault.generation == generation:
        # Killed before the commit point: the old key, the victim still in, nothing lost.
        assert not finished
        assert now_key == key and vault.has_operator(victim)
    else:
        assert vault.generation == generation + 1
        assert now_key != key and not vault.has_operator(victim)
        with pytest.raises(WrongKey):
            connect(vault.database_path, key)
    assert vault.unlock_operator("op-budi", "sandi budi 456") == now_key
    check_database(vault, now_key, rows)
    # Older generations are gone after load (a newer, uncommitted one may stay: it is
    # overwritten by the next re-key). Compare generation numbers: "office-10" < "office-9".
    live = sorted(
        int(p.name[len("office-"):-len(".db")])
        for p in folder.iterdir()
        if p.name.startswith("office-") and p.name.endswith(".db")
    )
    assert live[0] == vault.generation
    return rows, took


@pytest.mark.slow
def test_a_rekey_killed_at_any_moment_leaves_the_office_whole(office, fast_kdf):
    seed = int(os.environ.get("USULKAN_CRASH_SEED", secrets.randbits(32)))
    rng = random.Random(seed)
    rows, iteration = ROWS, 0
    advanced = stayed = 0

    # Every file step of the re-key in turn: dies before each create, export, fsync, rename
    # and delete, i.e. on both sides of the commit point.
    for step in range(1, FILE_STEPS + 1):
        before = Vault.load(office).generation
        rows, _ = run_once(office, fast_kdf, iteration, rows, step)
        iteration += 1
        advanced += Vault.load(office).generation > before
        stayed += Vault.load(office).generation == before
    assert advanced and stayed, "the steps must straddle the commit point"

    # How long an undisturbed re-key takes here, then kills at random moments across it.
    rows, took = run_once(office, fast_kdf, iteration, rows, None)
    iteration += 1
    assert took is not None
    for _ in range(RANDOM_KILLS):
        rows, _ = run_once(office, fast_kdf, iteration, rows, rng.uniform(0, 1.2 * took))
        iteration += 1
    print(f"{iteration} re-keys, {took * 1000:.0f} ms each undisturbed, seed {seed}")
