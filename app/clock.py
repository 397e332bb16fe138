"""Time: UTC in storage, WIB (Asia/Jakarta) on screen; one place to ask for now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")


def utcnow() -> datetime:
    """Naive UTC, as stored in the database (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_wib(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WIB)


def today_wib() -> date:
    return datetime.now(WIB).date()


def format_wib(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return to_wib(moment).strftime("%d-%m-%Y %H:%M WIB")
