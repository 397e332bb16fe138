"""Proposal use cases: add, edit, find, show and move a proposal through the workflow."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import workflow
from app.domain.fields import field_label, field_order
from app.domain.household import normalise_rt
from app.domain.proposal import Proposal, ProposalKind, advance, validate_proposal
from app.domain.tracking import is_valid_tracking_code, new_tracking_code, normalise_tracking_code
from app.domain.validation import Issue, Report, ValidationFailed
from app.errors import UsulkanError
from app.i18n import N_
from app.services import lurah
from app.services import search_match
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


class ProblemsBlockStep(ValidationFailed):
    """A Konsep may be saved with problems; it cannot go on to the next step with them."""

    code = "problems_block_step"
    template = N_("This proposal cannot go on yet: {errors} to correct, {warnings} to confirm.")
    hint = N_("Open the proposal, correct the marked fields, tick each warning you have checked, "
              "save, and try this step again.")

    def message(self) -> str:
        """The count, then every problem in form order, each with its field's label."""
        problems = sorted(
            [*self.report.errors, *self.report.unconfirmed(self.confirmed)], key=lambda i: field_order(i.field)
        )
        lines = [f"• {field_label(i.field)}: {i.error.message()}" for i in problems]
        return "\n".join([super().message(), *lines])
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


def _check(
    ctx: OfficeContext, session: Session, proposal: Proposal, confirmed: Iterable[str], *, keep_problems: bool = False
) -> Report:
    report = collect_issues(ctx, session, proposal)
    if not keep_problems:
        report.raise_if_errors(confirmed=set(confirmed))
    return report


# Steps out of a Konsep that need no complete data: giving it up, or editing it further.
_STEPS_WITHOUT_CHECK = frozenset({workflow.Action.WITHDRAW, workflow.Action.EDIT})


def _check_before_step(ctx: OfficeContext, session: Session, row: ProposalRow, action: workflow.Action) -> None:
    """Validation gates the step after the Konsep, since saving a Konsep never is."""
    if not workflow.is_editable(workflow.State(row.state)) or action in _STEPS_WITHOUT_CHECK:
        return
    confirmed = set(row.confirmed_warnings or ())
    report = collect_issues(ctx, session, repo.to_domain(row))
    if report.errors or report.unconfirmed(confirmed):
        raise ProblemsBlockStep(report, confirmed=confirmed)


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


def add_proposal(
    ctx: OfficeContext, draft: Proposal, *, confirmed_warnings: Iterable[str] = (), keep_problems: bool = False
) -> ProposalSummary:
    """Save a new proposal as a draft (id, tracking code, state and version are assigned here).

    ``keep_problems``: the operator's Save of a Konsep, which stores it incomplete or with errors
    (the next workflow step is what checks). Without it (scripts, imports) problems refuse.
    """
    proposal = replace(
        draft,
        id=uuid.uuid4(),
        tracking_code=new_tracking_code(),
        state=workflow.State.DRAFT,
        version=1,
        base_id=None,
    )
    workflow.require_office_role(ctx.operator_role)
    confirmed = set(confirmed_warnings)
    with ctx.transaction() as session:
        _check(ctx, session, proposal, confirmed, keep_problems=keep_problems)
        now = ctx.clock()
        row = repo.insert(session, proposal, created_by=ctx.operator_id, now=now, confirmed=confirmed)
        repo.add_transition(
            session, row, None, workflow.State.DRAFT.value, "create", "office", ctx.operator_id, now, None, {}
        )
        ctx.audit(session, "proposal.create", "proposal", row.id, kind=row.kind)
        return repo.summary(row)


def update_proposal(
    ctx: OfficeContext,
    proposal_id: str,
    draft: Proposal,
    *,
    confirmed_warnings: Iterable[str] = (),
    keep_problems: bool = False,
) -> ProposalSummary:
    """Change a proposal that is still being prepared; queued ones are immutable."""
    workflow.require_office_role(ctx.operator_role)
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
        _check(ctx, session, proposal, confirmed, keep_problems=keep_problems)
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
        if filters.query.strip() and rows:
            rows = search_match.with_match_reasons(session, rows, filters.query)
    return Page(rows=tuple(rows), total=total, offset=offset)


def count_by_state(ctx: OfficeContext) -> dict[tuple[str, str], int]:
    """(kind, state) -> number of proposals: the dashboard's counts."""
    with ctx.reading() as session:
        result = session.execute(
            select(ProposalRow.kind, ProposalRow.state, func.count()).group_by(ProposalRow.kind, ProposalRow.state)
        ).all()
    return {(kind, state): n for kind, state, n in result}


# Steps only the Lurah takes, each with the approval it needs (services/lurah.py).
AUTHORITY_STEPS = {workflow.Action.RECORD_SPTJM: "sptjm"}
# Actors the sync worker and the signed status feed step as; nobody signed in can claim them.
MACHINE_ACTORS = frozenset({workflow.Actor.SYSTEM, workflow.Actor.DINSOS})


class LurahApprovalNeeded(lurah.ConfirmationRefused):
    template = N_("Only the Lurah can take this step, with their passphrase typed now.")
    hint = N_("Ask the Lurah to approve it: they type their passphrase (and the code from the authenticator app).")


def session_actor(ctx: OfficeContext, state: workflow.State, kind, action: workflow.Action) -> workflow.Actor:
    """Who takes a step is who signed in: the Lurah where the table lets the Lurah, else the office."""
    workflow.require_office_role(ctx.operator_role)  # field staff take no proposal step
    if ctx.operator_role == "lurah" and action not in AUTHORITY_STEPS \
            and workflow.Actor.LURAH in _actors_for(state, kind, action):
        return workflow.Actor.LURAH
    return workflow.Actor.OFFICE


def _actors_for(state, kind, action) -> frozenset:
    return frozenset().union(*(rule.actors for rule in workflow.rules_for(state, kind, action)))


def apply_action(
    ctx: OfficeContext,
    reference: str,
    action: workflow.Action,
    *,
    reason: str | None = None,
    data: dict | None = None,
    confirmation=None,
) -> ProposalSummary:
    """Move a proposal one step through the workflow table, recording who, when and why.

    The actor is the person signed in, never an argument. A Lurah's step (the SPTJM) needs a
    ``LurahConfirmation`` for that step and that proposal, minted by ``lurah.confirm``; it is
    then recorded as the Lurah's, even when the Lurah approved it at an operator's desk.
    QUEUE is refused: only ``outbox.queue_proposal`` takes it, with the outbox item in the same
    transaction.
    """
    action = workflow.Action(action)
    if action is workflow.Action.QUEUE:
        raise QueueOnlyThroughOutbox()
    with ctx.reading() as session:
        proposal_id = _load(session, reference).id
    if action in AUTHORITY_STEPS:
        if confirmation is None:
            raise LurahApprovalNeeded()
        with lurah.acting(ctx, confirmation, lurah.Purpose(AUTHORITY_STEPS[action]), proposal_id) as lurah_ctx:
            with lurah_ctx.transaction() as session:
                row = _load(session, proposal_id)
                _step(lurah_ctx, session, row, action, workflow.Actor.LURAH, reason, data)
                return repo.summary(row)
    if confirmation is not None:
        raise LurahApprovalNeeded()  # an approval for a step that takes none is a mistake; spend nothing
    with ctx.transaction() as session:
        row = _load(session, proposal_id)
        actor = session_actor(ctx, workflow.State(row.state), ProposalKind(row.kind), action)
        _step(ctx, session, row, action, actor, reason, data)
        return repo.summary(row)


def step_in(
    ctx: OfficeContext,
    session: Session,
    row: ProposalRow,
    action: workflow.Action,
    *,
    actor: workflow.Actor | None = None,
    reason: str | None = None,
    data: dict | None = None,
) -> None:
    """One step inside the caller's transaction (bulk decisions, the sync worker); never QUEUE.

    Without ``actor`` the step is the signed-in person's (``session_actor``); an explicit actor
    may only be the sync worker's or the status feed's, so no caller can record a step as the
    office's or the Lurah's. The Lurah's own steps need ``apply_action`` and a confirmation.
    """
    action = workflow.Action(action)
    if action is workflow.Action.QUEUE:
        raise QueueOnlyThroughOutbox()
    _take_step(ctx, session, row, action, actor=actor, reason=reason, data=data)


def _take_step(ctx, session, row, action, *, actor=None, reason=None, data=None) -> None:
    """The step itself, actor checked. Only this module and app/services/outbox.py (for QUEUE) call it."""
    action = workflow.Action(action)
    if action in AUTHORITY_STEPS:
        raise LurahApprovalNeeded()
    if actor is None:
        actor = session_actor(ctx, workflow.State(row.state), ProposalKind(row.kind), action)
    elif actor not in MACHINE_ACTORS:
        raise LurahApprovalNeeded() if actor is workflow.Actor.LURAH else ValueError(actor)
    _step(ctx, session, row, action, actor, reason, data)


def _step(ctx, session, row, action, actor, reason, data) -> None:
    data = dict(data or {})
    if reason is not None:
        data.setdefault("reason", reason)
    state = workflow.State(row.state)
    _check_before_step(ctx, session, row, action)
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
        select(Attachment).where(Attachment.proposal_id == base_id, Attachment.kind.not_in(STEP_EVIDENCE),
                                 Attachment.source.is_(None))
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
