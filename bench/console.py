"""The Dinsos console under 100,000 proposals from 80 kelurahan: page times against the bare SQL of the same rows,
and single-proposal batches over real HTTP for 1, 2 and 4 uvicorn workers against in-process ingest.

Run: .venv/bin/python -m bench.console [--items 100000] [--offices 80] [--pg] [--repeat 40] [--no-http].
Goals (issue 11): inbox, queue, search and review pages p95 < 150 ms and at most 3x the bare SQL;
dashboard p95 < 300 ms. Pages are served by the real FastAPI app (TestClient, a signed-in staff
session, every middleware); the bare SQL is the same rows fetched with SQLAlchemy core on a plain
connection, in the same run, so the ratio is what the ORM, audit, claims and templates cost.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import and_, func, or_, select

from app.server.app import create_app
from app.server.config import Settings
from app.server.console import dashboard
from app.server.context import open_server
from app.server.models import Decision, DuplicateFlag, Item, ItemNik, Office
from bench import console_world
from bench.ingest import PG_ADMIN

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PAGE_GOAL_MS, DASHBOARD_GOAL_MS, MAX_RATIO = 150.0, 300.0, 3.0
CATEGORY_WHERE = {
    "new": and_(Item.state == "received", Item.base_id.is_(None)),
    "resent": and_(Item.state == "received", Item.base_id.is_not(None)),
    "waiting": Item.state == "verified",
    "returned": Item.state == "returned",
}
SINCE = {"new": Item.received_at, "resent": Item.received_at, "waiting": Item.updated_at, "returned": Item.updated_at}
LISTED = (Item.item_id, Item.tracking_code, Item.kind, Item.version, Item.state, Item.payload, Office.name,
          Office.village_code)


def signed_in(ctx, username: str) -> TestClient:
    client = TestClient(create_app(context=ctx), base_url="http://testserver")
    page = client.get("/console/login")
    answer = client.post("/console/login", data={"csrf": CSRF.search(page.text).group(1), "username": username,
                                                 "password": console_world.PASSWORD}, follow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return client


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _timed(fn, args_list) -> list[float]:
    out = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _bare(engine, world: console_world.World):
    """name -> a function running the SQL that fetches the same rows as the page."""
    def inbox(*_):
        with engine.connect() as conn:
            conn.execute(select(Item.office_id, Item.state, Item.base_id.is_(None), func.count(), func.min(Item.received_at))
                         .where(Item.state.in_(("received", "verified", "returned")))
                         .group_by(Item.office_id, Item.state, Item.base_id.is_(None))).all()
            conn.execute(select(Office)).all()

    def queue(category, office_id=None):
        query = (select(*LISTED).join(Office, Office.id == Item.office_id)
                 .where(CATEGORY_WHERE[category], Item.item_type == "proposal")
                 .order_by(SINCE[category], Item.item_id).limit(100))
        if office_id:
            query = query.where(Item.office_id == office_id)
        with engine.connect() as conn:
            conn.execute(query).all()

    def search(nik):
        with engine.connect() as conn:
            conn.execute(select(*LISTED).join(Office, Office.id == Item.office_id)
                         .where(Item.item_id.in_(select(ItemNik.item_id).where(ItemNik.nik == nik)))
                         .order_by(Item.received_at).limit(100)).all()

    def review(item_id):
        with engine.connect() as conn:
            item = conn.execute(select(Item, Office.name).join(Office, Office.id == Item.office_id)
                                .where(Item.item_id == item_id)).first()
            ids = [item_id] + ([item.base_id] if item.base_id else [])
            conn.execute(select(Item).where(Item.item_id.in_(ids[1:]))).all()
            conn.execute(select(Decision).where(Decision.item_id.in_(ids))).all()
            conn.execute(select(DuplicateFlag).where(or_(DuplicateFlag.item_id == item_id,
                                                         DuplicateFlag.other_item_id == item_id))).all()

    return {"inbox": inbox, "queue": queue, "search": search, "review": review}


def _workload(world: console_world.World, repeat: int) -> dict[str, list[tuple]]:
    categories = list(CATEGORY_WHERE)
    reviews = [i for ids in world.sample_ids.values() for i in ids]
    return {
        "inbox": [()] * repeat,
        "queue": [(categories[n % 4], world.offices[n % len(world.offices)] if n % 2 else None) for n in range(repeat)],
        "search": [(world.sample_niks[n % len(world.sample_niks)],) for n in range(repeat)],
        "review": [(reviews[(n * 7) % len(reviews)],) for n in range(repeat)],
    }


def measure_pages(ctx, world: console_world.World, repeat: int) -> tuple[list[tuple], tuple]:
    client = signed_in(ctx, world.verifier)
    kepala = signed_in(ctx, world.kepala)

    def get(c, path, **params):
        answer = c.get(path, params=params)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {answer.status_code}")

    pages = {
        "inbox": lambda: get(client, "/console/inbox"),
        "queue": lambda category, office=None: get(client, "/console/queue", category=category,
                                                     **({"office": office} if office else {})),
        "search": lambda nik: get(client, "/console/search", q=nik),
        "review": lambda item_id: get(client, f"/console/items/{item_id}"),
    }
    bare = _bare(ctx.engine, world)
    rows = []
    for name, args_list in _workload(world, repeat).items():
        warm = args_list[: max(2, len(args_list) // 10)]
        _timed(pages[name], warm), _timed(bare[name], warm)
        page_ms, sql_ms = _timed(pages[name], args_list), _timed(bare[name], args_list)
        rows.append((name, *percentiles(page_ms), *percentiles(sql_ms)))
    _timed(lambda: get(kepala, "/console/dashboard"), [()] * 2)
    board = percentiles(_timed(lambda: get(kepala, "/console/dashboard"), [()] * max(5, repeat // 4)))

    def figures():
        with ctx.reading() as session:
            dashboard.figures(session, ctx.now())
    sql = percentiles(_timed(figures, [()] * max(5, repeat // 4)))
    return rows, (*board, *sql)


def print_pages(title: str, rows: list[tuple], board: tuple) -> bool:
    print(title)
    print(f"{'page':<10}{'p50 ms':>9}{'p95 ms':>9}{'SQL p50':>9}{'SQL p95':>9}{'ratio p95':>11}"
          f"  p95 < {PAGE_GOAL_MS:.0f} ms / ratio <= {MAX_RATIO:.0f}")
    ok = True
    for name, p50, p95, s50, s95 in rows:
        ratio = p95 / s95 if s95 else float("inf")
        fast, close = p95 < PAGE_GOAL_MS, ratio <= MAX_RATIO
        ok &= fast and close
        print(f"{name:<10}{p50:>9.1f}{p95:>9.1f}{s50:>9.1f}{s95:>9.1f}{ratio:>11.1f}"
              f"  {'met' if fast else 'NOT met'} / {'met' if close else 'NOT met'}")
    p50, p95, s50, s95 = board
    met = p95 < DASHBOARD_GOAL_MS
    ok &= met
    print(f"{'dashboard':<10}{p50:>9.1f}{p95:>9.1f}{s50:>9.1f}{s95:>9.1f}{p95 / s95:>11.1f}  "
          f"{'met' if met else 'NOT met'} (< {DASHBOARD_GOAL_MS:.0f} ms; SQL = the figures' queries alone)")
    return ok


def pg_database() -> tuple[str, str] | None:
    """(SQLAlchemy URL, name) of a new scratch database on the local PostgreSQL, or None."""
    try:
        import uuid

        import psycopg

        name = f"usulkan_bench_console_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as err:  # noqa: BLE001 - no PostgreSQL here: say so, measure SQLite
        print(f"PostgreSQL skipped: {type(err).__name__}: {err}")
        return None
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}", name


def drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_pages(url: str | None, data_dir: Path, items: int, offices: int, repeat: int, label: str) -> bool:
    ctx = open_server(Settings(data_dir=data_dir, database_url=url))
    start = time.perf_counter()
    world = console_world.build(ctx, items, offices)
    built = time.perf_counter() - start
    if not ctx.is_sqlite:
        # What autovacuum does after a bulk load on a real server: statistics and the visibility map
        # (without it the planner guesses, and no index-only scan is possible).
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        label += " (VACUUM ANALYZE after the bulk load)"
    ok = print_pages(f"console pages, {label}: {world.items:,} items from {offices} kelurahan "
                     f"(world built in {built:.1f} s), {repeat} requests each",
                     *measure_pages(ctx, world, repeat))
    ctx.close()
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--offices", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--pg", action="store_true", help="pages on the local PostgreSQL too (a scratch database)")
    parser.add_argument("--no-http", action="store_true", help="skip the uvicorn workers' ingest (PostgreSQL)")
    parser.add_argument("--batches", type=int, default=400, help="single-proposal batches per worker count")
    args = parser.parse_args(argv)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        run_pages(None, Path(tmp) / "sqlite", args.items, args.offices, args.repeat, "SQLite")
        if args.pg:
            pg = pg_database()
            if pg:
                try:
                    run_pages(pg[0], Path(tmp) / "pg", args.items, args.offices, args.repeat, "PostgreSQL")
                finally:
                    drop_pg(pg[1])
    if not args.no_http:
        from bench import console_http

        console_http.main(args.batches)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
