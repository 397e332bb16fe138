"""Resolving a cross-kelurahan duplicate flag by a person at Dinsos, and the rule that an open one blocks
finalisation.

- Same person: one item is kept, the other goes back to its kelurahan with a reason from the
  catalogue (through review.decide, so the office's signed feed carries it).
- Not the same person: the pair is marked so, with who and, in their words, why.
Either way every open flag between the two items is closed in one transaction and audited.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from app.server import audit, review
from app.server.auth import Staff
from app.server.duplicates import OPEN_STATES
from app.server.errors import BadRequest, DuplicateOpen, Forbidden, NotFound
from app.server.models import DuplicateFlag, Item, Office
from app.server.reason_catalogue import reasons_for

SAME, DIFFERENT = "same_person", "different_people"
ROLES = ("verifier", "kepala", "admin")
MAX_NOTE = 2000
DEFAULT_REASON = "duplikat_kelurahan_lain"


def _between(a: str, b: str):
    return or_(and_(DuplicateFlag.item_id == a, DuplicateFlag.other_item_id == b),
               and_(DuplicateFlag.item_id == b, DuplicateFlag.other_item_id == a))


def open_duplicates(session, item_id: str) -> list[tuple[DuplicateFlag, Item]]:
    """Open flags of the item whose other item still competes (not superseded or withdrawn)."""
    other_id = DuplicateFlag.other_item_id
    mine = session.execute(
        select(DuplicateFlag, Item).join(Item, Item.item_id == other_id)
        .where(DuplicateFlag.item_id == item_id, DuplicateFlag.resolved_at.is_(None), Item.state.in_(OPEN_STATES))
    ).all()
    theirs = session.execute(
        select(DuplicateFlag, Item).join(Item, Item.item_id == DuplicateFlag.item_id)
        .where(other_id == item_id, DuplicateFlag.resolved_at.is_(None), Item.state.in_(OPEN_STATES))
    ).all()
    return [tuple(row) for row in mine + theirs]


def refuse_finalise_if_open(session, item_id: str) -> None:
    """Called by review.decide under the item's lock: finalising with an open duplicate is refused."""
    found = open_duplicates(session, item_id)
    if found:
        office = session.get(Office, found[0][1].office_id)
        raise DuplicateOpen(office=office.name if office else "?", count=len(found))


def _note(note: str, *, required: bool) -> str:
    note = (note or "").replace("\x00", "").strip()
    if len(note) > MAX_NOTE or (required and not note):
        raise BadRequest(field="note")
    return note


def _close(ctx, staff: Staff, item_id: str, other_id: str, resolution: str, note: str, kept: str | None,
           codes: list[str]) -> int:
    now = ctx.now()
    with ctx.transaction() as session:
        flags = session.execute(select(DuplicateFlag).where(_between(item_id, other_id),
                                                            DuplicateFlag.resolved_at.is_(None))
                                .with_for_update()).scalars().all()
        for flag in flags:
            flag.resolved_at, flag.resolution, flag.resolved_by = now, resolution, staff.id
            flag.resolution_note, flag.kept_item_id = note or None, kept
        # Ids, counts and codes only: the note (free words about people) stays in its row.
        audit.append(session, at=now, actor=f"staff:{staff.username}", action="duplicate_resolved",
                     subject=item_id, detail={"other": other_id, "resolution": resolution, "kept": kept,
                                              "flags": len(flags), "codes": codes})
    return len(flags)


def _pair(ctx, item_id: str, other_id: str) -> None:
    with ctx.reading() as session:
        if session.get(Item, item_id) is None or session.get(Item, other_id) is None:
            raise NotFound()
        if not session.execute(select(DuplicateFlag.id).where(_between(item_id, other_id),
                                                              DuplicateFlag.resolved_at.is_(None))).first():
            raise NotFound()


def same_person(ctx, staff: Staff, item_id: str, other_id: str, *, keep: str, reason_codes: list[str],
                note: str = "") -> int:
    """Keep ``keep`` (one of the two), return the other to its kelurahan with the reasons; close the flags."""
    if staff.role not in ROLES:
        raise Forbidden()
    if keep not in (item_id, other_id):
        raise BadRequest(field="keep")
    note = _note(note, required=False)
    _pair(ctx, item_id, other_id)
    reasons = reasons_for(ctx, [c for c in reason_codes if c] or [DEFAULT_REASON])
    returned = other_id if keep == item_id else item_id
    with ctx.reading() as session:
        state = session.get(Item, returned).state
    review.decide(ctx, staff, returned, "return", reasons, expected_state=state)
    return _close(ctx, staff, item_id, other_id, SAME, note, keep, [r.code for r in reasons])


def different_people(ctx, staff: Staff, item_id: str, other_id: str, *, note: str) -> int:
    """Mark the two as different people: who and why are stored; both items go on."""
    if staff.role not in ROLES:
        raise Forbidden()
    note = _note(note, required=True)
    _pair(ctx, item_id, other_id)
    return _close(ctx, staff, item_id, other_id, DIFFERENT, note, None, [])
