"""The staff login throttle: failed sign-ins counted per account and per address in the database (all workers share it).

Five failures for one account, or twenty from one address, within 15 minutes and further tries are
refused (429) without checking the password, until the oldest failure in the window ages out. A
correct password clears the account's count, never the address's (an attacker's own account must
not reset the guesses at someone else's). Rows older than the window are deleted as it goes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.server.errors import LoginThrottled
from app.server.models import LoginFailure

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
UNKNOWN_ADDRESS = "unknown"


def _key(value: str | None, default: str = "") -> str:
    return (value or default)[:64]


def check(session: Session, username: str, address: str | None, now: datetime) -> None:
    """Raise LoginThrottled when this account or this address has used up its tries."""
    since = now - WINDOW
    for column, value, limit in ((LoginFailure.username, _key(username), ACCOUNT_LIMIT),
                                 (LoginFailure.address, _key(address, UNKNOWN_ADDRESS), ADDRESS_LIMIT)):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since)
        ).one()
        if count >= limit:
            wait = oldest + WINDOW - now
            raise LoginThrottled(minutes=max(1, math.ceil(wait.total_seconds() / 60)),
                                 seconds=max(1, int(wait.total_seconds())))


def record_failure(session: Session, username: str, address: str | None, now: datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    session.add(LoginFailure(at=now, username=_key(username), address=_key(address, UNKNOWN_ADDRESS)))


def clear_account(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username)))
