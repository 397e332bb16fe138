"""Proposal use cases: add, edit, find, show and move a proposal through the workflow."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import workflow
from app.domain.household import normalise_rt
from app.domain.proposal import Proposal, ProposalKind, advance, validate_proposal
from app.domain.tracking import is_valid_tracking_code, new_tracking_code, normalise_tracking_code
from app.domain.validation import Issue, Report, ValidationFailed
from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.storage import proposal_repo as repo
from app.storage.models import Attachment, Household, Member
from app.storage.read_models import ProposalDetail, ProposalSummary, TransitionView
from app.storage.models import Proposal as ProposalRow
from app.storage.search import member_ids_matching


class ProposalNotFound(UsulkanError):
    template = N_("No proposal {reference} was found.")
    hint = N_("Check the tracking code or search by NIK or name.")


class DuplicateNik(UsulkanError):
    template = N_("NIK {nik} is already in proposal {tracking_code}, which is still open.")
    hint = N_("Continue that proposal instead, or withdraw it first.")


class DocumentNotAttached(UsulkanError):
    template = N_("The document for this decision is not attached to the proposal.")
    hint = N_("Attach the scanned minutes or SPTJM first, then record the decision.")


class QueueOnlyThroughOutbox(UsulkanError):
    """QUEUE without its outbox item would be a proposal that says "queued" and never leaves."""

    template = N_("A proposal is put in the send queue only together with its outbox entry.")
    hint = N_("Use “Put in the send queue” (or `usulkan proposal queue`), which does both at once.")


class KindLocked(UsulkanError):
    template = N_("The kind of this proposal can no longer be changed ({state}).")
    hint = N_("Only a first draft changes its kind. Withdraw this one and start a new proposal of the right kind.")


class ProposalLocked(UsulkanError):
    template = N_("This proposal can no longer be changed ({state}).")
    hint = N_("Make a new version of it instead.")


@dataclass(frozen=True)
class ProposalFilter:
    query: str = ""
    states: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    rt: str | None = None
    rw: str | None = None
    programme: str | None = None
    assigned_to: str | None = None


@dataclass(frozen=True)
class Page:
    rows: tuple[ProposalSummary, ...]
    total: int
    offset: int


# kind -> states in which a proposal of that kind is still open (holds its NIKs).
OPEN_STATES = {
    kind.value: [state.value for state in workflow.State if workflow.is_open(state, kind)]
    for kind in ProposalKind
}

SORTS = {
    "updated": ProposalRow.updated_at,
    "created": ProposalRow.created_at,
    "state": ProposalRow.state,
    "kind": ProposalRow.kind,
    "tracking": ProposalRow.tracking_code,
}


# --- checks -------------------------------------------------------------------------


def collect_issues(ctx: OfficeContext, session: Session, proposal: Proposal) -> Report:
    """Domain validation plus what needs the database: a NIK in another open proposal."""
    report = validate_proposal(
        proposal, regions=ctx.regions, office_regency=ctx.regency_code, today=ctx.today()
    )
    niks = [m.nik for m in proposal.household.members]
    clashes = repo.open_proposals_with_niks(session, niks, OPEN_STATES, exclude={proposal.id, proposal.base_id})
    for index, member in enumerate(proposal.household.members):
        if member.nik in clashes:
            report.add(
                Issue(
                    field=f"members[{index}].nik",
                    error=DuplicateNik(nik=member.nik, tracking_code=clashes[member.nik]),
                    severity="error",
                )
            )
    return report


def _check(ctx: OfficeContext, session: Session, proposal: Proposal, confirmed: Iterable[str]) -> Report:
    report = collect_issues(ctx, session, proposal)
    report.raise_if_errors(confirmed=set(confirmed))
    return report


def _check_documents(session: Session, row: ProposalRow, data: dict) -> None:
    """A decision that cites minutes or an SPTJM must cite a document attached to this proposal."""
    for key in (workflow.MINUTES, workflow.SPTJM_DOCUMENT):
        if key in data:
            attachment = session.get(Attachment, data[key])
            if attachment is None or attachment.proposal_id != row.id:
                raise DocumentNotAttached()


def load(session: Session, reference: str) -> ProposalRow:
    """The proposal row by id or tracking code (the newest version), or ProposalNotFound."""
    return _load(session, reference)


def _load(session: Session, reference: str) -> ProposalRow:
    row = session.get(ProposalRow, reference)
    if row is None and is_valid_tracking_code(reference):
        row = session.scalars(
            select(ProposalRow)
            .where(ProposalRow.tracking_code == normalise_tracking_code(reference))
            .order_by(ProposalRow.version.desc())
        ).first()
    if row is None:
        raise ProposalNotFound(reference=reference)
    return row


# --- use cases ----------------------------------------------------------------------


def add_proposal(ctx: OfficeContext, draft: Proposal, *, confirmed_warnings: Iterable[str] = ()) -> ProposalSummary:
    """Save a new proposal as a draft (id, tracking code, state and version are assigned here)."""
    proposal = replace(
        draft,
        id=uuid.uuid4(),
        tracking_code=new_tracking_code(),
        state=workflow.State.DRAFT,
        version=1,
        base_id=None,
    )
    confirmed = set(confirmed_warnings)
    with ctx.transaction() as session:
        _check(ctx, session, proposal, confirmed)
        now = ctx.clock()
        row = repo.insert(session, proposal, created_by=ctx.operator_id, now=now, confirmed=confirmed)
        repo.add_transition(
            session, row, None, workflow.State.DRAFT.value, "create", "office", ctx.operator_id, now, None, {}
        )
        ctx.audit(session, "proposal.create", "proposal", row.id, kind=row.kind)
        return repo.summary(row)


def update_proposal(
    ctx: OfficeContext, proposal_id: str, draft: Proposal, *, confirmed_warnings: Iterable[str] = ()
) -> ProposalSummary:
    """Change a proposal that is still being prepared; queued ones are immutable."""
    confirmed = set(confirmed_warnings)
    with ctx.transaction() as session:
        row = _load(session, proposal_id)
        state = workflow.State(row.state)
        if not workflow.is_editable(state):
            raise ProposalLocked(state=workflow.state_label(state))
        if draft.kind.value != row.kind and (state is not workflow.State.DRAFT or row.version != 1):
            # A route was taken for this kind, or Dinsos knows an earlier version under it.
            raise KindLocked(state=workflow.state_label(state))
        proposal = replace(
            draft,
            id=uuid.UUID(row.id),
            tracking_code=row.tracking_code,
            state=state,
            version=row.version,
            base_id=uuid.UUID(row.base_id) if row.base_id else None,
        )
        _check(ctx, session, proposal, confirmed)
        repo.update(session, row, proposal, now=ctx.clock(), confirmed=confirmed)
        ctx.audit(session, "proposal.edit", "proposal", row.id)
        return repo.summary(row)


def get_proposal(ctx: OfficeContext, reference: str) -> ProposalDetail:
    """Open a proposal's detail: a person's data, so the opening itself is audited."""
    with ctx.transaction() as session:
        row = _load(session, reference)
        detail = repo.detail(session, row)
        ctx.audit(session, "proposal.view", "proposal", row.id)
        return detail


def list_proposals(
    ctx: OfficeContext,
    filters: ProposalFilter = ProposalFilter(),
    *,
    sort: str = "updated",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> Page:
    """A page of the proposal list (the UI model asks for pages, never for everything)."""
    base = select(ProposalRow.id)
    if filters.query.strip() or filters.rt or filters.rw:
        base = base.join(Household, Household.proposal_id == ProposalRow.id)
    if filters.query.strip():
        base = base.where(
            Household.id.in_(
                select(Member.household_id).where(Member.id.in_(member_ids_matching(filters.query)))
            )
        )
    if filters.states:
        base = base.where(ProposalRow.state.in_(filters.states))
    if filters.kinds:
        base = base.where(ProposalRow.kind.in_(filters.kinds))
    if filters.rt:
        base = base.where(Household.rt == normalise_rt(filters.rt))
    if filters.rw:
        base = base.where(Household.rw == normalise_rt(filters.rw))
    if filters.programme:
        base = base.where(
            func.json_extract(ProposalRow.programmes, "$").like(f'%"{filters.programme}"%')
        )
    if filters.assigned_to:
        base = base.where(ProposalRow.assigned_to == filters.assigned_to)
    column = SORTS.get(sort, ProposalRow.updated_at)
    order = (column.desc(), ProposalRow.id.desc()) if descending else (column.asc(), ProposalRow.id.asc())
    with ctx.reading() as session:
        total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        ids = session.scalars(base.order_by(*order).offset(offset).limit(limit)).all()
        rows = repo.summaries(session, ids)
    return Page(rows=tuple(rows), total=total, offset=offset)


def count_by_state(ctx: OfficeContext) -> dict[tuple[str, str], int]:
    """(kind, state) -> number of proposals: the dashboard's counts."""
    with ctx.reading() as session:
        result = session.execute(
            select(ProposalRow.kind, ProposalRow.state, func.count()).group_by(ProposalRow.kind, ProposalRow.state)
        ).all()
    return {(kind, state): n for kind, state, n in result}


def apply_action(
    ctx: OfficeContext,
    reference: str,
    action: workflow.Action,
    *,
    actor: workflow.Actor = workflow.Actor.OFFICE,
    reason: str | None = None,
    data: dict | None = None,
) -> ProposalSummary:
    """Move a proposal one step through the workflow table, recording who, when and why.

    QUEUE is refused: only ``outbox.queue_proposal`` takes it, with the outbox item in the same
    transaction.
    """
    if workflow.Action(action) is workflow.Action.QUEUE:
        raise QueueOnlyThroughOutbox()
    with ctx.transaction() as session:
        row = _load(session, reference)
        step_in(ctx, session, row, action, actor=actor, reason=reason, data=data)
        return repo.summary(row)


def step_in(
    ctx: OfficeContext,
    session: Session,
    row: ProposalRow,
    action: workflow.Action,
    *,
    actor: workflow.Actor = workflow.Actor.OFFICE,
    reason: str | None = None,
    data: dict | None = None,
) -> None:
    """One workflow step inside the caller's transaction (bulk decisions share one); never QUEUE."""
    if workflow.Action(action) is workflow.Action.QUEUE:
        raise QueueOnlyThroughOutbox()
    _take_step(ctx, session, row, action, actor=actor, reason=reason, data=data)


def _take_step(
    ctx: OfficeContext,
    session: Session,
    row: ProposalRow,
    action: workflow.Action,
    *,
    actor: workflow.Actor = workflow.Actor.OFFICE,
    reason: str | None = None,
    data: dict | None = None,
) -> None:
    """The step itself. Only this module and app/services/outbox.py (for QUEUE) call it."""
    data = dict(data or {})
    if reason is not None:
        data.setdefault("reason", reason)
    state = workflow.State(row.state)
    _check_documents(session, row, data)
    record = advance(repo.to_domain(row), action, actor=actor, data=data)
    now = ctx.clock()
    row.state = record.to_state.value
    row.updated_at = now
    if record.route is not None:
        row.route = record.route.value
    repo.add_transition(
        session, row, state.value, record.to_state.value, action.value, actor.value,
        ctx.operator_id, now, reason, data,
    )
    ctx.audit(
        session, "proposal.transition", "proposal", row.id,
        action=action.value, from_state=state.value, to_state=record.to_state.value,
    )


# Evidence of a step version 1 took (its muskel decision, SPTJM, ground check): the new version
# takes that step again, so these stay with version 1. The household's own documents still count.
STEP_EVIDENCE = ("muskel_minutes", "sptjm", "ground_check")


def _carry_documents(session, base_id: str, new_id: str) -> int:
    """Copy the base's documents that still count to the new version; how many were copied."""
    from app.storage.models import Attachment

    rows = session.scalars(
        select(Attachment).where(Attachment.proposal_id == base_id, Attachment.kind.not_in(STEP_EVIDENCE))
        .order_by(Attachment.created_at, Attachment.id)
    ).all()
    for old in rows:
        session.add(Attachment(
            id=str(uuid.uuid4()), proposal_id=new_id, kind=old.kind, filename=old.filename, mime=old.mime,
            size=old.size, sha256=old.sha256, data=old.data, created_by=old.created_by, created_at=old.created_at,
        ))
    return len(rows)


def new_version(ctx: OfficeContext, reference: str) -> ProposalSummary:
    """A queued or returned proposal is immutable: copy it to a new draft that names its base."""
    with ctx.transaction() as session:
        base = _load(session, reference)
        state = workflow.State(base.state)
        record = workflow.transition(
            state, ProposalKind(base.kind), workflow.Action.REVISE, actor=workflow.Actor.OFFICE, data={}
        )
        now = ctx.clock()
        proposal = repo.to_domain(base)
        copy = replace(
            proposal,
            id=uuid.uuid4(),
            state=workflow.State.DRAFT,
            version=base.version + 1,
            base_id=uuid.UUID(base.id),
        )
        row = repo.insert(session, copy, created_by=ctx.operator_id, now=now, confirmed=set(base.confirmed_warnings))
        row.assigned_to = base.assigned_to
        base.state = record.to_state.value
        base.updated_at = now
        repo.add_transition(
            session, base, state.value, record.to_state.value, "revise", "office", ctx.operator_id, now, None,
            {"new_version": row.id},
        )
        repo.add_transition(
            session, row, None, "draft", "create", "office", ctx.operator_id, now, None, {"base": base.id}
        )
        carried = _carry_documents(session, base.id, row.id)
        ctx.audit(session, "proposal.new_version", "proposal", row.id, base=base.id, documents=carried)
        return repo.summary(row)
