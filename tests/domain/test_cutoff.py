"""The monthly SIKS-NG cut-off on the 17th: which day, how many days left, what must go."""

from __future__ import annotations

from datetime import date

from app.domain.cutoff import must_go, next_cutoff


def test_the_cut_off_is_this_month_until_the_17th_then_next_month():
    assert next_cutoff(date(2026, 12, 4)).day == date(2026, 12, 17)
    assert next_cutoff(date(2026, 12, 4)).days_left == 13
    assert next_cutoff(date(2026, 12, 17)).days_left == 0
    assert next_cutoff(date(2026, 12, 18)).day == date(2027, 1, 17)
    assert next_cutoff(date(2026, 1, 31)).day == date(2026, 2, 17)


def test_what_must_go_counts_the_office_states_only():
    counts = {("baru", "draft"): 2, ("pembaruan", "returned"): 1, ("baru", "queued"): 3, ("baru", "ready"): 1,
              ("baru", "sent"): 5, ("baru", "finalised"): 9}
    assert must_go(counts) == (3, 4)
