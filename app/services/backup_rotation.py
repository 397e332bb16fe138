"""Grandfather-father-son rotation of backups: which to keep (pure; the caller deletes the rest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

DAILY, WEEKLY, MONTHLY = 7, 4, 12
# Backups made before a migration, a re-key or a revocation: the newest few stay whatever their day.
EVENT_KEEP = 3
NEWEST = 2
ROUTINE = ("daily", "manual")


@dataclass(frozen=True)
class Policy:
    daily: int = DAILY
    weekly: int = WEEKLY
    monthly: int = MONTHLY
    events: int = EVENT_KEEP


def _newest_per(items: list[tuple[str, datetime, str]], bucket, count: int) -> set[str]:
    """The newest item of each of the ``count`` most recent buckets (day, ISO week, month)."""
    chosen: dict[object, str] = {}
    for name, at, _reason in sorted(items, key=lambda item: item[1], reverse=True):
        key = bucket(at)
        if key not in chosen:
            if len(chosen) == count:
                break
            chosen[key] = name
    return set(chosen.values())


def to_keep(backups: Sequence[tuple[str, datetime, str]], policy: Policy = Policy()) -> set[str]:
    """Names to keep among ``(name, created_at, reason)``: 7 daily, 4 weekly, 12 monthly, the two newest always."""
    items = list(backups)
    if not items:
        return set()
    # The two newest always stay: if the newest is later found damaged (a stick pulled), one remains.
    keep = {name for name, _at, _reason in sorted(items, key=lambda item: item[1], reverse=True)[:NEWEST]}
    keep |= _newest_per(items, lambda at: at.date(), policy.daily)
    keep |= _newest_per(items, lambda at: at.isocalendar()[:2], policy.weekly)
    keep |= _newest_per(items, lambda at: (at.year, at.month), policy.monthly)
    events = sorted((item for item in items if item[2] not in ROUTINE), key=lambda item: item[1], reverse=True)
    keep |= {name for name, _at, _reason in events[: policy.events]}
    return keep
