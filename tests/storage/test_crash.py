"""A writer killed at a random moment loses no commit it reported and leaves a sound database.

The child (crash_writer.py) prints an id only after commit() returned; the parent SIGKILLs it
20-300 ms after its first commit, then opens the database and checks both promises. A kill
tests atomicity and "reported means committed"; surviving a power cut additionally relies on
synchronous=FULL, which test_engine.py checks is set on every connection.
"""

from __future__ import annotations

import os
import random
import secrets
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app.storage.engine import integrity_problems, make_engine
from tests.storage.childproc import Child

WRITER = Path(__file__).with_name("crash_writer.py")
ITERATIONS = int(os.environ.get("USULKAN_CRASH_ITERATIONS", "50"))


@pytest.mark.slow
def test_a_killed_writer_loses_no_reported_commit(tmp_path):
    seed = int(os.environ.get("USULKAN_CRASH_SEED", secrets.randbits(32)))
    rng = random.Random(seed)
    key = secrets.token_bytes(32)
    db = tmp_path / "office-1.db"
    engine = make_engine(db, key)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, nik TEXT NOT NULL)"))
        conn.execute(text("CREATE INDEX ix_person_nik ON person (nik)"))
    engine.dispose()

    next_id, total_reported = 1, 0
    started = time.monotonic()
    for iteration in range(ITERATIONS):
        child = Child([str(WRITER), str(db), str(next_id)], key.hex())
        first = child.next_line()  # at least one commit has returned
        time.sleep(rng.uniform(0.020, 0.300))
        child.kill()
        reported = [int(line) for line in [first, *child.finish()] if line.endswith("\n")]
        assert reported, f"iteration {iteration} (seed {seed})"

        engine = make_engine(db, key)
        try:
            assert integrity_problems(engine) == [], f"iteration {iteration} (seed {seed})"
            with engine.connect() as conn:
                present = set(conn.execute(text("SELECT id FROM person")).scalars())
                niks_ok = conn.execute(
                    text("SELECT count(*) FROM person WHERE nik != '3571' || printf('%012d', id)")
                ).scalar_one() == 0
        finally:
            engine.dispose()
        missing = set(reported) - present
        assert not missing, f"iteration {iteration} (seed {seed}): reported but lost {sorted(missing)[:5]}"
        assert niks_ok
        total_reported += len(reported)
        next_id = max(present) + 1
    assert total_reported >= ITERATIONS
    print(f"{ITERATIONS} kills, {total_reported} reported commits, {time.monotonic() - started:.1f} s, seed {seed}")
