"""Server ingest rate (proposals/s) on SQLite and PostgreSQL, against a raw insert of the same rows.

Run: .venv/bin/python -m bench.ingest [--batches 10]. Goal: >= 2,000 proposals/s on SQLite with
batches of 500. The raw insert writes the same item and NIK rows with executemany and no checks,
so the ratio shows what verification, decryption, receipts and duplicate lookup cost.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert

from app.server import db
from app.server.config import Settings
from app.server.context import open_server
from app.server.ingest import ingest
from app.server.models import Batch, Item, ItemNik
from bench.server_world import NOW, enrol, nik

BATCH_ITEMS = 500
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _prepare(ctx, batches: int):
    office = enrol(ctx, "bench")
    sealed = []
    for b in range(batches):
        items = office.items([nik(b * BATCH_ITEMS + i) for i in range(BATCH_ITEMS)])
        sealed.append(office.batch(items)[0])
    return office, sealed


def run_ingest(url: str, data_dir: Path, batches: int) -> tuple[float, list[dict]]:
    ctx = open_server(Settings(data_dir=data_dir, database_url=url), clock=lambda: NOW)
    _, sealed = _prepare(ctx, batches)
    start = time.perf_counter()
    for data in sealed:
        ingest(ctx, data, source="bench")
    elapsed = time.perf_counter() - start
    with ctx.reading() as session:
        rows = [r._asdict() for r in session.execute(
            Item.__table__.select().order_by(Item.received_at)).all()]
    ctx.close()
    return batches * BATCH_ITEMS / elapsed, rows


def run_raw(url: str, rows: list[dict]) -> float:
    """The same item rows (and their NIK rows) into a fresh schema, 500 per transaction."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    from app.server.models import Office

    batch_ids = sorted({r["batch_id"] for r in rows})
    office_id = rows[0]["office_id"]
    with engine.begin() as conn:
        conn.execute(insert(Office), [{"id": office_id, "name": "x", "village_code": "x", "created_at": NOW,
                                       "last_sequence": 0, "last_batch_hash": "0" * 64, "feed_cursor": 0}])
        conn.execute(insert(Batch), [{"batch_id": b, "office_id": office_id, "sequence": i + 1,
                                      "batch_hash": "0" * 64, "received_at": NOW, "item_count": 0,
                                      "raw": b"", "receipt": b""} for i, b in enumerate(batch_ids)])
    start = time.perf_counter()
    for offset in range(0, len(rows), BATCH_ITEMS):
        chunk = rows[offset : offset + BATCH_ITEMS]
        with engine.begin() as conn:
            conn.execute(insert(Item), chunk)
            conn.execute(insert(ItemNik), [{"item_id": r["item_id"], "office_id": office_id,
                                             "nik": "3575030101900001"} for r in chunk])
    elapsed = time.perf_counter() - start
    engine.dispose()
    return len(rows) / elapsed


def _pg_database():
    try:
        import psycopg

        name = f"usulkan_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute(f'CREATE DATABASE "{name}_raw"')
        return name
    except Exception as err:  # no PostgreSQL: report and measure SQLite only
        print(f"PostgreSQL skipped: {type(err).__name__}")
        return None


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_raw" WITH (FORCE)')


def measure(batches: int) -> list[tuple[str, float, float]]:
    """(backend, ingest/s, raw insert/s) for SQLite and, when reachable, PostgreSQL."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rate, rows = run_ingest(f"sqlite:///{tmp / 'ingest.db'}", tmp / "s1", batches)
        raw = run_raw(f"sqlite:///{tmp / 'raw.db'}", rows)
        results.append(("SQLite", rate, raw))
        pg = _pg_database()
        if pg:
            try:
                base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
                rate, rows = run_ingest(f"{base}/{pg}", tmp / "s2", batches)
                raw = run_raw(f"{base}/{pg}_raw", rows)
                results.append(("PostgreSQL", rate, raw))
            finally:
                _drop(pg)
    return results


def print_table(results: list[tuple[str, float, float]], batches: int) -> None:
    total = batches * BATCH_ITEMS
    print(f"server ingest, {batches} batches x {BATCH_ITEMS} proposals ({total}), sealed + signed")
    print(f"{'backend':<12}{'ingest/s':>12}{'raw insert/s':>15}{'ratio':>9}")
    for name, rate, raw in results:
        print(f"{name:<12}{rate:>12,.0f}{raw:>15,.0f}{rate / raw:>9.2f}")
    sqlite_rate = results[0][1]
    print(f"goal >= 2,000 proposals/s on SQLite: {'met' if sqlite_rate >= 2000 else 'NOT met'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=10)
    args = parser.parse_args(argv)
    print_table(measure(args.batches), args.batches)


if __name__ == "__main__":
    main()
