"""The dashboard's figures, each from one aggregate query: backlog per kelurahan, days in each state
(median and 90th percentile), returns by reason code, and weekly throughput.

Days in a state: every stay of an item in a state, from the step that brought it there (or its
arrival) to the step that took it out (for a return: the kelurahan's resend), plus the stays still
going (until now). Percentiles are by
nearest rank (the value at rank ceil(p * n)), picked inside the database with window functions, so
no row list leaves it; the same SQL runs on SQLite and PostgreSQL, only the date arithmetic differs.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Float, and_, cast, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement

from app.server.models import Decision, Item, Office

BACKLOG_STATES = ("received", "verified", "returned", "finalised", "approved")
STAY_STATES = ("received", "verified", "returned", "finalised", "approved")
THROUGHPUT_ACTIONS = ("verify", "return", "finalise")
WEEKS = 12


@dataclass(frozen=True)
class Figures:
    backlog: list[dict]
    stays: list[dict]
    returns: list[tuple[str, int]]
    weeks: list[dict]


def _days(dialect: str, end: ColumnElement, start: ColumnElement) -> ColumnElement:
    if dialect == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def backlog(session) -> list[dict]:
    rows = session.execute(
        select(Office.id, Office.name, Office.village_code, Item.state, func.count())
        .join(Item, Item.office_id == Office.id)
        .where(Item.item_type == "proposal", Item.state.in_(BACKLOG_STATES))
        .group_by(Office.id, Office.name, Office.village_code, Item.state)
    ).all()
    table: dict[str, dict] = {}
    for office_id, name, village, state, count in rows:
        entry = table.setdefault(office_id, {"office_id": office_id, "name": name, "village_code": village,
                                             "total": 0, **{s: 0 for s in BACKLOG_STATES}})
        entry[state] = count
        entry["total"] += count
    return sorted(table.values(), key=lambda e: (-e["total"], e["name"]))


def stays(session, now: datetime) -> list[dict]:
    """Per state: how many stays, the median and the 90th percentile in days."""
    dialect = session.bind.dialect.name
    previous = func.lag(Decision.decided_at).over(partition_by=Decision.item_id, order_by=Decision.id)
    steps = (select(Decision.item_id, Decision.from_state.label("state"), Decision.decided_at.label("ended"),
                    previous.label("began")).subquery())
    done = (select(steps.c.state, _days(dialect, steps.c.ended, func.coalesce(steps.c.began, Item.received_at))
                   .label("days"))
            .join(Item, Item.item_id == steps.c.item_id)
            .where(steps.c.state.in_(STAY_STATES)))
    # An item still in a state has been there since its last change (updated_at).
    ongoing = (select(Item.state, _days(dialect, literal(now.replace(tzinfo=None)), Item.updated_at).label("days"))
               .where(Item.item_type == "proposal", Item.state.in_(STAY_STATES)))
    # A return ends when the kelurahan resends: the returned version is superseded then (no decision).
    resent = (select(literal("returned").label("state"),
                     _days(dialect, Item.updated_at, func.max(Decision.decided_at)).label("days"))
              .join(Decision, Decision.item_id == Item.item_id)
              .where(Item.item_type == "proposal", Item.state == "superseded", Decision.to_state == "returned")
              .group_by(Item.item_id, Item.updated_at))
    every = union_all(done, ongoing, resent).subquery()
    ranked = select(every.c.state, cast(every.c.days, Float).label("days"),
                    func.row_number().over(partition_by=every.c.state, order_by=every.c.days).label("rank"),
                    func.count().over(partition_by=every.c.state).label("n")).subquery()
    # Nearest rank: ceil(n/2) and ceil(9n/10) in integer arithmetic.
    median_rank, p90_rank = (ranked.c.n + 1) // 2, (ranked.c.n * 9 + 9) // 10
    rows = session.execute(select(ranked.c.state, ranked.c.days, ranked.c.rank, ranked.c.n, median_rank, p90_rank)
                           .where((ranked.c.rank == median_rank) | (ranked.c.rank == p90_rank))).all()
    out: dict[str, dict] = {}
    for state, days, rank, n, m_rank, p_rank in rows:
        entry = out.setdefault(state, {"state": state, "count": int(n), "median": 0.0, "p90": 0.0})
        if rank == int(m_rank):
            entry["median"] = max(0.0, round(float(days), 1))
        if rank == int(p_rank):
            entry["p90"] = max(0.0, round(float(days), 1))
    return [out[s] for s in STAY_STATES if s in out]


def returns_by_reason(session) -> list[tuple[str, int]]:
    """Every reason code given with a return, with how often (one return may give several)."""
    counts: Counter[str] = Counter()
    for (reasons,) in session.execute(select(Decision.reasons).where(Decision.action == "return")
                                      .execution_options(yield_per=5000)):
        try:
            codes = {str(r.get("code")) for r in json.loads(reasons) if isinstance(r, dict)}
        except (ValueError, AttributeError):
            continue
        counts.update(codes or {"-"})
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _week(dialect: str, column: ColumnElement) -> ColumnElement:
    """The Monday of the column's week, as YYYY-MM-DD text."""
    if dialect == "sqlite":
        return func.date(column, "weekday 0", "-6 days")
    return func.to_char(func.date_trunc("week", column), "YYYY-MM-DD")


def weekly(session, now: datetime, weeks: int = WEEKS) -> list[dict]:
    """The last ``weeks`` weeks (Monday first): proposals received, and verify/return/finalise steps."""
    dialect = session.bind.dialect.name
    monday = (now - timedelta(days=now.weekday())).date()
    first = monday - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    table = {(first + timedelta(weeks=i)).isoformat(): {"week": (first + timedelta(weeks=i)).isoformat(),
                                                        "received": 0, **{a: 0 for a in THROUGHPUT_ACTIONS}}
             for i in range(weeks)}
    week = _week(dialect, Item.received_at)
    for start, count in session.execute(select(week, func.count()).where(
            and_(Item.item_type == "proposal", Item.received_at >= since)).group_by(week)):
        if str(start) in table:
            table[str(start)]["received"] = count
    week = _week(dialect, Decision.decided_at)
    for start, action, count in session.execute(
            select(week, Decision.action, func.count())
            .where(Decision.decided_at >= since, Decision.action.in_(THROUGHPUT_ACTIONS))
            .group_by(week, Decision.action)):
        if str(start) in table:
            table[str(start)][action] = count
    return list(table.values())


def figures(session, now: datetime) -> Figures:
    return Figures(backlog(session), stays(session, now), returns_by_reason(session), weekly(session, now))
