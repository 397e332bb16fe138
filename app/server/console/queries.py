"""What the console's lists show: the inbox by kelurahan, a queue of one category, and search.

Categories of the inbox (oldest first, with days waiting):
new = received, first version; resent = received, a new version of a returned item;
waiting = verified, waiting for the Kepala OPD; returned = back at the kelurahan.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, literal_column, or_, select, union

from app.server import claims
from app.server.models import Item, ItemNik, Office

CATEGORIES = ("new", "resent", "waiting", "returned")
_WHERE = {
    "new": and_(Item.state == "received", Item.base_id.is_(None)),
    "resent": and_(Item.state == "received", Item.base_id.is_not(None)),
    "waiting": Item.state == "verified",
    "returned": Item.state == "returned",
}
# Since when an item waits: the office sent it (new, resent), or Dinsos's last step (verified, returned).
_SINCE = {"new": Item.received_at, "resent": Item.received_at, "waiting": Item.updated_at, "returned": Item.updated_at}
PAGE = 100
DIGITS = re.compile(r"\d{16}")


@dataclass(frozen=True)
class Row:
    item_id: str
    tracking_code: str | None
    office_name: str
    village_code: str
    kind: str | None
    version: int
    state: str
    head_name: str
    members: int
    since: datetime
    days: int
    claimed_by: str | None


def kk_number(dialect: str):
    """The household's No. KK inside the payload, written exactly as its index (migration 0012) is."""
    if dialect == "sqlite":
        return literal_column("json_extract(items.payload, '$.household.kk_number')")
    return literal_column("((items.payload::json -> 'household') ->> 'kk_number')")


def head_name(payload: dict) -> str:
    members = (payload.get("household") or {}).get("members") or []
    for member in members:
        if member.get("relationship") == "kepala_keluarga":
            return str(member.get("name") or "")
    return str(members[0].get("name") or "") if members else ""


def inbox(session, now: datetime) -> list[dict]:
    """One row per kelurahan with its count in each category and its oldest waiting item."""
    category = case(
        (and_(Item.state == "received", Item.base_id.is_(None)), "new"),
        (Item.state == "received", "resent"),
        (Item.state == "verified", "waiting"),
        else_="returned",
    )
    rows = session.execute(
        select(Item.office_id, category.label("category"), func.count(), func.min(Item.received_at))
        .where(Item.state.in_(("received", "verified", "returned")))
        .group_by(Item.office_id, category)
    ).all()
    offices = {o.id: o for o in session.execute(select(Office)).scalars()}
    table: dict[str, dict] = {}
    for office_id, cat, count, oldest in rows:
        office = offices[office_id]
        entry = table.setdefault(office_id, {"office_id": office_id, "name": office.name,
                                             "village_code": office.village_code, "oldest_days": 0,
                                             **{c: 0 for c in CATEGORIES}})
        entry[cat] = count
        if cat in ("new", "resent") and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            entry["oldest_days"] = max(entry["oldest_days"], (now - oldest).days)
    return sorted(table.values(), key=lambda e: (-e["oldest_days"], e["name"]))


def _rows(session, query, now: datetime, since_col) -> list[Row]:
    found = session.execute(query.add_columns(since_col)).all()
    taken = claims.holders(session, [r[0].item_id for r in found], now)
    out = []
    for item, office_name, village, since in found:
        payload = json.loads(item.payload)
        out.append(Row(item.item_id, item.tracking_code, office_name, village, item.kind, item.version, item.state,
                       head_name(payload), len((payload.get("household") or {}).get("members") or []),
                       since, (now - since).days, taken.get(item.item_id)))
    return out


def queue(session, now: datetime, category: str, *, office_id: str | None = None, offset: int = 0) -> list[Row]:
    """One category, oldest first, a page at a time (``office_id`` narrows it to one kelurahan)."""
    since = _SINCE[category]
    query = (select(Item, Office.name, Office.village_code).join(Office, Office.id == Item.office_id)
             .where(_WHERE[category], Item.item_type == "proposal")
             .order_by(since, Item.item_id).limit(PAGE).offset(max(0, offset)))
    if office_id:
        query = query.where(Item.office_id == office_id)
    return _rows(session, query, now, since)


def search(session, now: datetime, text: str) -> list[Row]:
    """By NIK or No. KK (16 digits), tracking code, or a part of a member's name (upper case, as stored)."""
    text = text.strip()[:64]
    if not text:
        return []
    base = (select(Item, Office.name, Office.village_code).join(Office, Office.id == Item.office_id)
            .where(Item.item_type == "proposal").order_by(Item.received_at, Item.item_id).limit(PAGE))
    if DIGITS.fullmatch(text):
        # A union of two index lookups: an OR of them made PostgreSQL parse every payload (a full scan).
        found = union(select(ItemNik.item_id).where(ItemNik.nik == text),
                      select(Item.item_id).where(kk_number(session.bind.dialect.name) == text))
        query = base.where(Item.item_id.in_(found))
    else:
        needle = json.dumps(text.upper(), ensure_ascii=False)[1:-1]
        query = base.where(or_(Item.tracking_code == text, Item.tracking_code == text.upper(),
                               Item.payload.contains(needle, autoescape=True)))
    return _rows(session, query, now, Item.received_at)
