"""Between domain proposals and their rows: insert, update, load, and the list's summaries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from app.domain import workflow
from app.domain.reasons import reason_line
from app.domain.household import Household, Member, Relationship, Sex
from app.domain.proposal import ObjectionReason, Programme, Proposal, ProposalKind, Route, SocioEconomicChange
from app.storage import models
from app.storage.read_models import ProposalDetail, ProposalSummary, TransitionView
from app.storage.search import name_key


# A Konsep may be saved before a member's birth date is known. The column predates that and
# is NOT NULL, so the first day of year 1 stands for "not filled in yet" in storage only: the
# domain sees None, validation reports it, and the workflow lets no such proposal leave the
# Konsep (a migration making the column nullable can replace this).
UNKNOWN_BIRTH_DATE = date(1, 1, 1)


def _member_rows(household: Household) -> list[models.Member]:
    return [
        models.Member(
            position=position,
            nik=m.nik,
            name=m.name,
            name_key=name_key(m.name),
            sex=m.sex.value,
            birth_place=m.birth_place,
            birth_date=m.birth_date or UNKNOWN_BIRTH_DATE,
            relation=m.relationship.value,
            mother_name=m.mother_name,
        )
        for position, m in enumerate(household.members)
    ]


def _fill(row: models.Proposal, p: Proposal, confirmed: Iterable[str]) -> None:
    row.kind = p.kind.value
    row.programmes = sorted(prog.value for prog in p.programmes)
    row.changes = [
        {"variable": c.variable, "old": c.old_value, "new": c.new_value} for c in p.changes
    ]
    row.objection_subject_nik = p.objection_subject_nik
    row.objection_reason = p.objection_reason.value if p.objection_reason else None
    row.objection_note = p.objection_note
    row.desil = p.desil
    row.route = p.route.value if p.route else None
    row.confirmed_warnings = sorted(confirmed)


def insert(session: Session, p: Proposal, *, created_by: str, now: datetime, confirmed: Iterable[str]) -> models.Proposal:
    row = models.Proposal(
        id=str(p.id),
        tracking_code=p.tracking_code,
        state=p.state.value,
        version=p.version,
        base_id=str(p.base_id) if p.base_id else None,
        created_by=created_by,
        assigned_to=created_by,
        created_at=now,
        updated_at=now,
    )
    _fill(row, p, confirmed)
    hh = p.household
    row.household = models.Household(
        kk_number=hh.kk_number, address=hh.address, rt=hh.rt, rw=hh.rw, village_code=hh.village_code
    )
    row.household.members = _member_rows(hh)
    session.add(row)
    session.flush()
    return row


def update(session: Session, row: models.Proposal, p: Proposal, *, now: datetime, confirmed: Iterable[str]) -> None:
    _fill(row, p, confirmed)
    hh = p.household
    target = row.household
    target.kk_number, target.address, target.rt, target.rw, target.village_code = (
        hh.kk_number, hh.address, hh.rt, hh.rw, hh.village_code,
    )
    # Replace members wholesale: positions and identities may all have changed.
    target.members.clear()
    session.flush()
    target.members.extend(_member_rows(hh))
    row.updated_at = now
    session.flush()


def to_domain(row: models.Proposal) -> Proposal:
    hh = row.household
    household = Household(
        kk_number=hh.kk_number,
        address=hh.address,
        rt=hh.rt,
        rw=hh.rw,
        village_code=hh.village_code,
        members=tuple(
            Member(
                nik=m.nik,
                name=m.name,
                sex=Sex(m.sex),
                birth_place=m.birth_place,
                birth_date=None if m.birth_date == UNKNOWN_BIRTH_DATE else m.birth_date,
                relationship=Relationship(m.relation),
                mother_name=m.mother_name,
            )
            for m in hh.members
        ),
    )
    return Proposal(
        id=uuid.UUID(row.id),
        kind=ProposalKind(row.kind),
        household=household,
        programmes=frozenset(Programme(p) for p in row.programmes),
        changes=tuple(SocioEconomicChange(c["variable"], c["old"], c["new"]) for c in row.changes),
        objection_subject_nik=row.objection_subject_nik,
        objection_reason=ObjectionReason(row.objection_reason) if row.objection_reason else None,
        objection_note=row.objection_note,
        desil=row.desil,
        route=Route(row.route) if row.route else None,
        state=workflow.State(row.state),
        version=row.version,
        base_id=uuid.UUID(row.base_id) if row.base_id else None,
        tracking_code=row.tracking_code,
    )


def add_transition(
    session: Session,
    row: models.Proposal,
    from_state: str | None,
    to_state: str,
    action: str,
    actor: str,
    operator_id: str | None,
    at: datetime,
    reason: str | None,
    data: dict,
) -> None:
    session.add(
        models.ProposalTransition(
            proposal_id=row.id,
            from_state=from_state,
            to_state=to_state,
            action=action,
            actor=actor,
            operator_id=operator_id,
            at=at,
            reason=reason,
            data=data,
        )
    )


def open_proposals_with_niks(
    session: Session,
    niks: Sequence[str],
    open_states: Mapping[str, Sequence[str]],
    *,
    exclude: Iterable[object],
) -> dict[str, str]:
    """NIK -> tracking code of another open proposal (by its kind's open states) that holds it."""
    excluded = {str(e) for e in exclude if e is not None}
    niks = [nik for nik in niks if nik]  # an empty NIK of an unfinished Konsep clashes with nothing
    if not niks:
        return {}
    still_open = or_(
        *(
            and_(models.Proposal.kind == kind, models.Proposal.state.in_(list(states)))
            for kind, states in open_states.items()
        )
    )
    rows = session.execute(
        select(models.Member.nik, models.Proposal.tracking_code, models.Proposal.id)
        .join(models.Household, models.Household.id == models.Member.household_id)
        .join(models.Proposal, models.Proposal.id == models.Household.proposal_id)
        .where(models.Member.nik.in_(list(niks)), still_open)
    ).all()
    return {nik: code for nik, code, pid in rows if pid not in excluded}


def head_member(household: models.Household) -> models.Member | None:
    """The head of the family (kepala keluarga), or the first member if none is marked."""
    members = household.members
    head = Relationship.KEPALA_KELUARGA.value
    return next((m for m in members if m.relation == head), members[0] if members else None)


def summary(row: models.Proposal) -> ProposalSummary:
    head = head_member(row.household)
    return ProposalSummary(
        id=row.id,
        tracking_code=row.tracking_code,
        kind=row.kind,
        state=row.state,
        version=row.version,
        head_name=head.name if head else "",
        head_nik=head.nik if head else "",
        kk_number=row.household.kk_number,
        rt=row.household.rt,
        rw=row.household.rw,
        programmes=tuple(row.programmes),
        updated_at=row.updated_at,
        assigned_to=row.assigned_to,
        address=row.household.address or "",
    )


def summaries(session: Session, ids: Sequence[str]) -> list[ProposalSummary]:
    """Summaries in the order of ``ids``, loaded in one round trip per table."""
    if not ids:
        return []
    rows = session.scalars(
        select(models.Proposal)
        .where(models.Proposal.id.in_(list(ids)))
        .options(selectinload(models.Proposal.household).selectinload(models.Household.members))
    ).all()
    by_id = {row.id: row for row in rows}
    return [summary(by_id[i]) for i in ids if i in by_id]


def detail(session: Session, row: models.Proposal) -> ProposalDetail:
    names = dict(session.execute(select(models.Operator.id, models.Operator.name)).all())

    def view(t: models.ProposalTransition) -> TransitionView:
        return TransitionView(
            from_state=t.from_state,
            to_state=t.to_state,
            action=t.action,
            actor=t.actor,
            operator_name=names.get(t.operator_id),
            at=t.at,
            reason=reason_line(t.data, t.reason),
        )

    earlier: list[tuple[int, TransitionView]] = []
    seen, base_id = {row.id}, row.base_id
    while base_id and base_id not in seen:  # a cycle cannot be made by new_version; never loop on one
        seen.add(base_id)
        base = session.get(models.Proposal, base_id)
        if base is None:
            break
        earlier[:0] = [(base.version, view(t)) for t in base.transitions]
        base_id = base.base_id
    return ProposalDetail(
        proposal=to_domain(row),
        transitions=tuple(view(t) for t in row.transitions),
        created_by=names.get(row.created_by, ""),
        assigned_to=names.get(row.assigned_to) if row.assigned_to else None,
        earlier=tuple(earlier),
    )
