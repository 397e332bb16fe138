"""Dinsos staff decisions on items, each through the workflow table and into the office's signed feed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.domain.workflow import Action, Actor, ProposalKind, State, transition
from app.server import audit
from app.server.auth import Staff
from app.server.context import ServerContext
from app.server.errors import BadRequest, DecreeRequired, Forbidden, FourEyes, NotFound, StaleDecision
from app.server.models import Decision, DuplicateFlag, Item, Office, StatusEntry
from app.sync.status import CODE, StatusReason, StatusUpdate, issue_status, issue_status_page

# Which role takes which step: the verifikator verifies or returns (an administrator may too, as
# the demo's single account does); the Kepala OPD finalises, never the person who verified (four
# eyes, checked below under the item's lock); the walikota's approval and the forwarding to the
# ministry are recorded by an administrator.
ACTIONS = {
    "verify": (Action.VERIFY, ("verifier", "admin")),
    "return": (Action.RETURN, ("verifier", "kepala", "admin")),
    "finalise": (Action.FINALISE, ("kepala",)),
    "approve": (Action.APPROVE, ("admin",)),
    "forward": (Action.FORWARD, ("admin",)),
}
MAX_REASON_TEXT = 2000
# The walikota's approval and the forwarding to the ministry rest on a decree (SK): its number and
# date are required for those steps and stored with the decision.
DECREE_ACTIONS = ("approve", "forward")
MAX_DECREE_NUMBER = 100
EARLIEST_DECREE = date(2000, 1, 1)


@dataclass(frozen=True)
class DecreeDocument:
    """The decree's scan in the blob store (app/server/decree_documents.py checked its bytes)."""

    sha256: str
    media_type: str
    size: int


@dataclass(frozen=True)
class Decree:
    number: str
    date: date
    document: DecreeDocument | None = None


def checked_decree(action: str, number: str | None, when: date | str | None, *, today: date) -> Decree | None:
    """The decree an approval or a forwarding needs (refused when missing or odd); None for other steps."""
    number = (number or "").strip()
    if action not in DECREE_ACTIONS:
        if number or when:
            raise BadRequest(field="decree_number")
        return None
    if not number and not when:
        raise DecreeRequired()
    if not number or len(number) > MAX_DECREE_NUMBER or any(ord(c) < 32 for c in number):
        raise BadRequest(field="decree_number")
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when.strip())
        except ValueError as err:
            raise BadRequest(field="decree_date") from err
    if not isinstance(when, date) or not EARLIEST_DECREE <= when <= today:
        raise BadRequest(field="decree_date")
    return Decree(number, when)


def _document_columns(decree: Decree | None) -> dict:
    doc = decree.document if decree is not None else None
    if doc is None:
        return {}
    return {"decree_document_sha256": doc.sha256, "decree_document_type": doc.media_type,
            "decree_document_size": doc.size}


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


def _checked_reasons(reasons: Sequence[Reason]) -> list[StatusReason]:
    out = []
    for index, reason in enumerate(reasons):
        if not CODE.fullmatch(reason.code or "") or not reason.text.strip() or len(reason.text) > MAX_REASON_TEXT:
            raise BadRequest(field=f"reasons[{index}]")
        out.append(StatusReason(reason.code, reason.text.strip()))
    return out


def decide(ctx: ServerContext, staff: Staff, item_id: str, action: str, reasons: Sequence[Reason] = (),
           *, expected_state: str | None = None, decree: Decree | None = None) -> StatusUpdate:
    """Take one workflow step as Dinsos; the signed status lands in the office's feed in the same commit.

    ``expected_state`` is the state the decider saw (the console sends it): when another person
    decided in between, StaleDecision says so instead of stacking a second step on top.
    ``decree`` (see checked_decree) is required for an approval and a forwarding, refused otherwise.
    """
    if action not in ACTIONS:
        raise BadRequest(field="action")
    step, roles = ACTIONS[action]
    if staff.role not in roles:
        raise Forbidden()
    status_reasons = _checked_reasons(reasons)
    now = ctx.now()
    if (action in DECREE_ACTIONS) != (decree is not None):
        if decree is None:
            raise DecreeRequired()
        raise BadRequest(field="decree_number")
    with ctx.transaction() as session:
        item = session.execute(select(Item).where(Item.item_id == item_id).with_for_update()).scalar_one_or_none()
        if item is None or item.item_type != "proposal":
            raise NotFound()
        if expected_state is not None and item.state != expected_state:
            raise StaleDecision(state=item.state)
        if step is Action.FINALISE and _verified_by(session, item_id) == staff.id:
            raise FourEyes()
        if step is Action.FINALISE:
            from app.server.duplicate_review import refuse_finalise_if_open

            refuse_finalise_if_open(session, item_id)
        try:
            kind = ProposalKind(item.kind)
        except ValueError as err:
            raise BadRequest(field="payload.kind") from err
        data = {"reason": "; ".join(r.text for r in status_reasons)} if status_reasons else {}
        record = transition(State(item.state), kind, step, actor=Actor.DINSOS, data=data)
        # The office row is the per-office cursor counter; the lock keeps cursors gap-free.
        office = session.execute(select(Office).where(Office.id == item.office_id).with_for_update()).scalar_one()
        office.feed_cursor += 1
        update = issue_status(
            ctx.keys.server, feed_cursor=office.feed_cursor, office_id=office.id, item_id=item.item_id,
            tracking_code=item.tracking_code, state=record.to_state.value, reasons=status_reasons,
            decided_by_role=f"dinsos.{staff.role}", decided_at=now,
        )
        item.state = record.to_state.value
        item.updated_at = now
        session.add(StatusEntry(office_id=office.id, cursor=office.feed_cursor, item_id=item.item_id,
                                state=item.state, record=update.to_bytes(), created_at=now))
        session.add(Decision(item_id=item.item_id, action=action, from_state=record.from_state.value,
                             to_state=record.to_state.value,
                             reasons=json.dumps([r.__dict__ for r in status_reasons], ensure_ascii=False),
                             user_id=staff.id, decided_at=now, feed_cursor=office.feed_cursor,
                             decree_number=decree.number if decree else None, decree_date=decree.date if decree else None,
                             **_document_columns(decree)))
        detail = {"to": item.state, "codes": [r.code for r in status_reasons]}
        if decree is not None:
            detail["decree"] = {"number": decree.number, "date": decree.date.isoformat()}
            if decree.document is not None:
                detail["decree"]["document"] = decree.document.sha256
        audit.append(session, at=now, actor=f"staff:{staff.username}", action=f"item_{action}",
                     subject=item.item_id, detail=detail)
    return update


def _verified_by(session, item_id: str) -> int | None:
    """Who took the item's latest verify step (the four-eyes rule compares the finaliser to them)."""
    return session.execute(
        select(Decision.user_id).where(Decision.item_id == item_id, Decision.action == "verify")
        .order_by(Decision.id.desc()).limit(1)
    ).scalar_one_or_none()


def status_page(ctx: ServerContext, office_id: str, after: int) -> bytes:
    """The signed page of ``office_id``'s updates after cursor ``after`` (empty page when none)."""
    with ctx.reading() as session:
        records = session.execute(
            select(StatusEntry.record)
            .where(StatusEntry.office_id == office_id, StatusEntry.cursor > after)
            .order_by(StatusEntry.cursor)
            .limit(ctx.settings.status_page_size)
        ).scalars().all()
    updates = [StatusUpdate.from_bytes(record) for record in records]
    cursor_to = updates[-1].feed_cursor if updates else after
    page = issue_status_page(ctx.keys.server, office_id=office_id, cursor_from=after, cursor_to=cursor_to,
                             updates=updates)
    return page.to_bytes()


def list_items(ctx: ServerContext, *, state: str | None = None, office_id: str | None = None,
               duplicates_only: bool = False, limit: int = 100, offset: int = 0) -> list[dict]:
    flags = (
        select(DuplicateFlag.item_id, func.count().label("n"))
        .where(DuplicateFlag.resolved_at.is_(None)).group_by(DuplicateFlag.item_id).subquery()
    )
    query = (
        select(Item, Office.name, Office.village_code, func.coalesce(flags.c.n, 0))
        .join(Office, Office.id == Item.office_id)
        .outerjoin(flags, flags.c.item_id == Item.item_id)
        .order_by(Item.received_at, Item.item_id)
        .limit(min(max(limit, 1), 1000)).offset(max(offset, 0))
    )
    if state:
        query = query.where(Item.state == state)
    if office_id:
        query = query.where(Item.office_id == office_id)
    if duplicates_only:
        query = query.where(flags.c.n > 0)
    with ctx.reading() as session:
        rows = session.execute(query).all()
    return [_summary(item, name, village, n) for item, name, village, n in rows]


def _summary(item: Item, office_name: str, village_code: str, duplicates: int) -> dict:
    return {
        "item_id": item.item_id, "office_id": item.office_id, "office_name": office_name,
        "village_code": village_code, "item_type": item.item_type, "kind": item.kind, "route": item.route,
        "version": item.version, "base_id": item.base_id, "tracking_code": item.tracking_code,
        "state": item.state, "received_at": item.received_at.isoformat(), "duplicates": int(duplicates),
    }


def record_read(ctx: ServerContext, actor: str, action: str, subject: str | None = None, **detail) -> None:
    """Audit a staff read of people's data (an item's payload, duplicate NIKs, the BNBA export).

    Ids and counts only, like every audit entry: the entry says who looked at what, not what it held.
    """
    with ctx.transaction() as session:
        audit.append(session, at=ctx.now(), actor=actor, action=action, subject=subject, detail=detail)


def item_detail(ctx: ServerContext, item_id: str, *, reader: str | None = None) -> dict:
    """The item with its payload (NIKs, names); ``reader`` (``staff:<name>``) is audited first."""
    if reader is not None:
        with ctx.reading() as session:
            if session.get(Item, item_id) is None:
                raise NotFound()
        record_read(ctx, reader, "item_viewed", item_id)
    with ctx.reading() as session:
        row = session.execute(
            select(Item, Office.name, Office.village_code).join(Office, Office.id == Item.office_id)
            .where(Item.item_id == item_id)
        ).first()
        if row is None:
            raise NotFound()
        item, name, village = row
        decisions = session.execute(select(Decision).where(Decision.item_id == item_id).order_by(Decision.id)).scalars()
        flags = session.execute(select(DuplicateFlag).where(
            (DuplicateFlag.item_id == item_id) | (DuplicateFlag.other_item_id == item_id)).order_by(DuplicateFlag.id)).scalars()
        detail = _summary(item, name, village, 0)
        detail["payload"] = json.loads(item.payload)
        detail["decisions"] = [
            {"action": d.action, "from": d.from_state, "to": d.to_state, "reasons": json.loads(d.reasons),
             "decided_at": d.decided_at.isoformat(), "decree_number": d.decree_number,
             "decree_date": d.decree_date.isoformat() if d.decree_date else None} for d in decisions
        ]
        detail["duplicates"] = [{"other_item_id": f.other_item_id if f.item_id == item_id else f.item_id, "nik": f.nik,
                                 "resolved": f.resolved_at is not None, "resolution": f.resolution,
                                 "kept_item_id": f.kept_item_id} for f in flags]
    return detail


def list_duplicates(ctx: ServerContext, *, open_only: bool = True, reader: str | None = None) -> list[dict]:
    query = select(DuplicateFlag, Item.office_id).join(Item, Item.item_id == DuplicateFlag.other_item_id)
    if open_only:
        query = query.where(DuplicateFlag.resolved_at.is_(None))
    with ctx.reading() as session:
        rows = session.execute(query.order_by(DuplicateFlag.id)).all()
    if reader is not None:
        record_read(ctx, reader, "duplicates_viewed", None, flags=len(rows))
    return [{"id": f.id, "item_id": f.item_id, "other_item_id": f.other_item_id, "other_office_id": other_office,
             "nik": f.nik, "created_at": f.created_at.isoformat()} for f, other_office in rows]


def audit_heads(ctx: ServerContext, office_id: str) -> bytes:
    """The signed list of every audit head this office's stored batches carried, in batch order."""
    from app.server.models import OfficeAuditHead
    from app.sync.audit_heads import issue_audit_heads
    from app.sync.chain import Head

    with ctx.reading() as session:
        rows = session.execute(select(OfficeAuditHead).where(OfficeAuditHead.office_id == office_id)
                               .order_by(OfficeAuditHead.batch_sequence)).scalars().all()
        heads = [Head(r.seq, r.hash, batch_sequence=r.batch_sequence) for r in rows]
    return issue_audit_heads(ctx.keys.server, office_id=office_id, heads=heads, issued_at=ctx.now())
