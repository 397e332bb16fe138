"""Claims: a verifier who opens an item takes it for a while, so colleagues see it as taken.

A claim is advisory (the decision itself is guarded by the optimistic state check in
app/server/review.py); it expires by itself so an item left open over lunch comes free again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.server.auth import Staff
from app.server.context import ServerContext
from app.server.models import ItemClaim, StaffUser

CLAIM_TTL = timedelta(minutes=15)


@dataclass(frozen=True)
class Claim:
    item_id: str
    username: str
    expires_at: datetime
    mine: bool


def claim(ctx: ServerContext, staff: Staff, item_id: str) -> Claim:
    """Take ``item_id`` for ``staff`` unless a colleague's claim still runs; the holder either way."""
    now = ctx.now()
    with ctx.transaction() as session:
        row = session.execute(select(ItemClaim).where(ItemClaim.item_id == item_id).with_for_update()).scalar_one_or_none()
        if row is not None and row.user_id != staff.id and row.expires_at > now:
            holder = session.get(StaffUser, row.user_id)
            return Claim(item_id, holder.username if holder else "?", row.expires_at, False)
        if row is None:
            row = ItemClaim(item_id=item_id, user_id=staff.id, claimed_at=now, expires_at=now + CLAIM_TTL)
            session.add(row)
        else:
            row.user_id, row.claimed_at, row.expires_at = staff.id, now, now + CLAIM_TTL
        return Claim(item_id, staff.username, row.expires_at, True)


def release(ctx: ServerContext, staff: Staff, item_id: str) -> None:
    """Give the item back (after a decision): only one's own claim."""
    with ctx.transaction() as session:
        session.execute(delete(ItemClaim).where(ItemClaim.item_id == item_id, ItemClaim.user_id == staff.id))


def holders(session, item_ids: Iterable[str], now: datetime) -> dict[str, str]:
    """item_id -> username of every running claim among ``item_ids``."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ItemClaim.item_id, StaffUser.username).join(StaffUser, StaffUser.id == ItemClaim.user_id)
        .where(ItemClaim.item_id.in_(ids), ItemClaim.expires_at > now)
    ).all()
    return {item_id: username for item_id, username in rows}
