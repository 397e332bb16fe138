"""The monthly SIKS-NG cut-off (Permensos 3/2025): data in by the 17th is pulled on the 18th."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CUTOFF_DAY = 17
# Not yet at the Dinsos: what must still go (or be finished and go) before the cut-off.
UNFINISHED = ("draft", "ground_check", "muskel", "sptjm", "returned")
TO_SEND = ("ready", "queued")


@dataclass(frozen=True)
class Cutoff:
    day: date
    days_left: int  # 0 on the day itself


def next_cutoff(today: date) -> Cutoff:
    """The cut-off this month if it is not past, else next month's."""
    if today.day <= CUTOFF_DAY:
        day = today.replace(day=CUTOFF_DAY)
    else:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        day = date(year, month, CUTOFF_DAY)
    return Cutoff(day, (day - today).days)


def must_go(counts: dict[tuple[str, str], int]) -> tuple[int, int]:
    """(proposals still to finish in the office, proposals ready or queued to send) from (kind, state) counts."""
    unfinished = sum(n for (_kind, state), n in counts.items() if state in UNFINISHED)
    to_send = sum(n for (_kind, state), n in counts.items() if state in TO_SEND)
    return unfinished, to_send
