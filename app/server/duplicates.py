"""Cross-kelurahan duplicates: the same NIK in an open item from another office is flagged for review."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.server.models import DuplicateFlag, Item, ItemNik

NIK_PATTERN = re.compile(r"[0-9]{16}")
# States in which an item is still alive at Dinsos: a second kelurahan proposing the same person
# matters then; superseded or withdrawn versions no longer compete.
OPEN_STATES = ("received", "verified", "returned", "finalised", "approved")
_CHUNK = 500  # bound the IN list (SQLite's variable limit, PostgreSQL's plan size)


def niks_of(payload: Mapping[str, Any]) -> list[str]:
    """The household members' NIKs, each once; anything not 16 digits is ignored, not guessed at."""
    household = payload.get("household")
    members = household.get("members") if isinstance(household, dict) else None
    found: list[str] = []
    for member in members if isinstance(members, list) else []:
        nik = member.get("nik") if isinstance(member, dict) else None
        if isinstance(nik, str) and NIK_PATTERN.fullmatch(nik) and nik not in found:
            found.append(nik)
    return found


def record_and_flag(
    session: Session, office_id: str, item_niks: Iterable[tuple[str, str]], *, now: datetime
) -> int:
    """Index the new (item_id, nik) pairs and flag every match in another office; return the flag count."""
    pairs = list(item_niks)
    if not pairs:
        return 0
    by_nik: dict[str, list[str]] = {}
    for item_id, nik in pairs:
        by_nik.setdefault(nik, []).append(item_id)
    flags = []
    niks = list(by_nik)
    for start in range(0, len(niks), _CHUNK):
        chunk = niks[start : start + _CHUNK]
        rows = session.execute(
            select(ItemNik.nik, ItemNik.item_id)
            .join(Item, Item.item_id == ItemNik.item_id)
            .where(ItemNik.nik.in_(chunk), ItemNik.office_id != office_id, Item.state.in_(OPEN_STATES))
        ).all()
        for nik, other in rows:
            for item_id in by_nik[nik]:
                flags.append({"item_id": item_id, "other_item_id": other, "nik": nik, "created_at": now})
    session.execute(insert(ItemNik), [{"item_id": i, "office_id": office_id, "nik": n} for i, n in pairs])
    if flags:
        session.execute(insert(DuplicateFlag), flags)
    return len(flags)
