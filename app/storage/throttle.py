"""Unlock throttling: after three wrong secrets, wait 1, 2, 4 ... seconds before the next try (at most 5 min)."""

from __future__ import annotations

FREE_ATTEMPTS = 3
MAX_WAIT_SECONDS = 300


def delay_after(failures: int) -> int:
    """Seconds to wait after the last of ``failures`` consecutive wrong attempts: 2^(n-3), capped."""
    if failures < FREE_ATTEMPTS:
        return 0
    exponent = failures - FREE_ATTEMPTS
    return MAX_WAIT_SECONDS if exponent >= 9 else min(2**exponent, MAX_WAIT_SECONDS)


def retry_after(failures: int, last_failure: float | None, now: float) -> float:
    """Seconds until the next attempt is allowed (0: allowed now).

    A clock set back never stretches the wait beyond one full delay (see the vault, which
    also restarts the wait from the new "now" so that it ends).
    """
    delay = delay_after(failures)
    if delay == 0 or last_failure is None:
        return 0.0
    return max(0.0, min(last_failure + delay - now, float(delay)))
