"""Storage benchmark: N proposals with households and members, encrypted vs plain SQLite.

Run: .venv/bin/python -m bench.storage [--count 100000]
Prints insert rate, NIK lookup, No. KK lookup, name search (prefix and part) and the database
size for the SQLCipher office database and for plain SQLite with the same schema, pragmas and
queries in the same run, with the ratio encrypted / plain. Peak memory (max RSS) at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, insert, select

from app.storage import migrate
from app.storage.engine import PAGE_CACHE_KIB, make_engine
from app.storage.models import Household, Member, Proposal
from app.storage.search import member_ids_matching, name_key, proposal_ids_for_identity
from app.services.synthetic import households

BATCH = 1000
OPERATOR = "00000000-0000-4000-8000-000000000001"


def plain_engine(path: Path) -> Engine:
    """The baseline: SQLite without encryption, same durability and cache settings as the office database."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        pragmas = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", f"cache_size=-{PAGE_CACHE_KIB}")
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return engine


def seed_operator(engine: Engine) -> None:
    from app.storage.models import Operator

    with engine.begin() as conn:
        conn.execute(
            insert(Operator).values(
                id=OPERATOR, name="BENCH", role="operator", active=True, created_at=datetime(2026, 1, 1)
            )
        )


def load(engine: Engine, count: int, *, id_base: int = 0) -> tuple[float, int, list[str], list[str]]:
    """Insert ``count`` proposals in transactions of BATCH; return seconds, members, samples.

    Row ids start after ``id_base`` so the rows can join a database that already has some.
    """
    now = datetime(2026, 11, 1)
    niks: list[str] = []
    kks: list[str] = []
    member_count = 0
    started = time.perf_counter()
    rows_p, rows_h, rows_m = [], [], []
    household_id = id_base
    member_id = id_base

    def flush():
        with engine.begin() as conn:
            conn.execute(insert(Proposal), rows_p)
            conn.execute(insert(Household), rows_h)
            conn.execute(insert(Member), rows_m)
        rows_p.clear(), rows_h.clear(), rows_m.clear()

    for index, hh in enumerate(households(count)):
        pid = str(uuid.UUID(int=id_base + index + 1, version=4))
        household_id += 1
        rows_p.append(
            dict(
                id=pid, tracking_code=f"B{index:09d}", kind="baru", state="draft", version=1,
                programmes=["pkh"], changes=[], confirmed_warnings=[], created_by=OPERATOR,
                created_at=now, updated_at=now, desil=3,
            )
        )
        rows_h.append(
            dict(id=household_id, proposal_id=pid, kk_number=hh.kk_number, address=hh.address,
                 rt=hh.rt, rw=hh.rw, village_code="35.75.03.1009")
        )
        for position, m in enumerate(hh.members):
            member_id += 1
            rows_m.append(
                dict(id=member_id, household_id=household_id, position=position, nik=m.nik,
                     name=m.name, name_key=name_key(m.name), sex=m.sex, birth_place=m.birth_place,
                     birth_date=m.birth_date, relation=m.relation, mother_name=m.mother_name)
            )
            member_count += 1
            if member_id % 97 == 0:
                niks.append(m.nik)
        if index % 101 == 0:
            kks.append(hh.kk_number)
        if len(rows_p) >= BATCH:
            flush()
    if rows_p:
        flush()
    return time.perf_counter() - started, member_count, niks, kks


def timed(engine: Engine, samples: list[str], query: Callable[[str], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds of running ``query`` for each sample."""
    durations = []
    with engine.connect() as conn:
        for value in samples[:repeat]:
            started = time.perf_counter()
            conn.execute(query(value)).all()
            durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


def timed_lookup(engine: Engine, samples: list[str], repeat: int) -> tuple[float, float]:
    """The application's own NIK / No. KK look-up (a prebuilt statement), in milliseconds."""
    durations = []
    with engine.connect() as conn:
        for value in samples[:repeat]:
            started = time.perf_counter()
            found = proposal_ids_for_identity(conn, value)
            durations.append((time.perf_counter() - started) * 1000)
            assert found, value
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


def proposals_for_members(ids_select):
    """The proposal list query the UI runs: proposals whose household has a matching member."""
    return (
        select(Proposal.id, Proposal.tracking_code, Proposal.state)
        .join(Household, Household.proposal_id == Proposal.id)
        .join(Member, Member.household_id == Household.id)
        .where(Member.id.in_(ids_select))
        .limit(50)
    )


def run(engine: Engine, count: int, rng: random.Random) -> dict[str, float]:
    migrate.upgrade(engine)
    seed_operator(engine)
    seconds, members, niks, kks = load(engine, count)
    rng.shuffle(niks)
    rng.shuffle(kks)
    prefixes = ["SITI AM", "BUDI SA", "DEWI RA", "AGUS WI", "NUR HA"] * 20
    parts = ["AMINAH", "WIJAYA", "NINGSIH", "HAYATI", "KURNIA"] * 20
    result = {
        "insert proposals/s": count / seconds,
        "members": members,
    }
    with engine.connect() as conn:
        result["count check"] = conn.execute(select(func.count()).select_from(Proposal)).scalar_one()
    result["NIK lookup ms (median)"], result["NIK lookup ms (p95)"] = timed_lookup(engine, niks, 300)
    result["No. KK lookup ms (median)"], _ = timed_lookup(engine, kks, 200)
    result["name prefix ms (median)"], result["name prefix ms (p95)"] = timed(
        engine, prefixes, lambda v: proposals_for_members(member_ids_matching(v)), 100
    )
    result["name part ms (median)"], result["name part ms (p95)"] = timed(
        engine, parts, lambda v: proposals_for_members(member_ids_matching(v)), 100
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {}
        for label, factory in (
            ("plain SQLite", lambda: plain_engine(folder / "plain.db")),
            ("SQLCipher", lambda: make_engine(folder / "office.db", secrets.token_bytes(32))),
        ):
            engine = factory()
            try:
                results[label] = run(engine, args.count, random.Random(11))
            finally:
                engine.dispose()
        sizes = {
            "plain SQLite": (folder / "plain.db").stat().st_size / 1e6,
            "SQLCipher": (folder / "office.db").stat().st_size / 1e6,
        }
    plain, enc = results["plain SQLite"], results["SQLCipher"]
    print(f"\nbench/storage: {args.count:,} proposals, {int(enc['members']):,} members "
          f"(cpu count {os.cpu_count()})\n")
    print(f"{'measure':28} {'SQLCipher':>12} {'plain SQLite':>13} {'ratio':>7}")
    print("-" * 64)
    for key in plain:
        if key in ("members", "count check"):
            continue
        ratio = (plain[key] / enc[key]) if "/s" in key else (enc[key] / plain[key])
        print(f"{key:28} {enc[key]:12.3f} {plain[key]:13.3f} {ratio:6.2f}x")
    print(f"{'database size MB':28} {sizes['SQLCipher']:12.1f} {sizes['plain SQLite']:13.1f} "
          f"{sizes['SQLCipher'] / sizes['plain SQLite']:6.2f}x")
    print("\nratio = how many times slower (or larger) the encrypted database is; goal <= 1.5x")
    print("goals: NIK lookup < 1 ms, name search < 50 ms at 100,000 proposals")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
