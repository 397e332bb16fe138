"""Handover: give a person's open work to others with a note on each item, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.reasons import humanise
from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services import playbook, return_text
from app.services.context import OfficeContext
from app.services.handover_work import (
    COMPLAINT, FORM_DRAFT, NEXT_ACTION, PROPOSAL, WorkItem, notes_by_key, open_rows,
)
from app.services.journal import JournalView, add_entry_in, journal_view
from app.storage.handover_models import JournalEntry, PlaybookPage
from app.storage.models import FormDraft, Operator, Proposal, ProposalTransition
from app.storage.proposal_repo import head_member


class HandoverItemUnknown(UsulkanError):
    template = N_("An item in the handover is no longer open work of the person handing over.")
    hint = N_("Refresh the list of open work and make the handover again.")


class HandoverTargetInvalid(UsulkanError):
    template = N_("Work can only be handed to an active person of this office.")
    hint = N_("Choose someone from the list, or leave the item in the office pool.")


class HandoverNotAllowed(UsulkanError):
    template = N_("Only the person themselves or the Lurah can hand over their work.")
    hint = N_("Ask the Lurah to sign in and do it.")


@dataclass(frozen=True)
class HandoverLine:
    key: str
    label: str
    to_operator: str | None  # None: the office pool
    to_name: str | None
    note: str | None


@dataclass(frozen=True)
class HandoverReport:
    """What was handed to whom, with the notes: printed and signed by both people."""

    from_operator: str
    from_name: str
    by_operator: str | None
    at: datetime
    items: tuple[HandoverLine, ...]


@dataclass(frozen=True)
class DinsosDecision:
    proposal_id: str
    tracking_code: str
    to_state: str
    reason: str | None
    at: datetime
    # Dinsos's reason codes, each with the playbook page that says what to do (None: no page yet).
    playbook_pages: tuple[tuple[str, str | None], ...] = ()
    household: str = ""  # the head of family's name, beside the code
    # Each reason in Dinsos's words, with the playbook page's slug (None: no page yet).
    reasons: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Onboarding:
    open_work: tuple[WorkItem, ...]
    handover_notes: tuple[JournalView, ...]
    playbook: tuple[playbook.PageView, ...]
    dinsos_decisions: tuple[DinsosDecision, ...]


def open_work(ctx: OfficeContext, operator_id: str | None) -> list[WorkItem]:
    """Every open item held by ``operator_id`` (None: the office pool), each with its handover notes."""
    with ctx.reading() as session:
        items = [item for item, _ in open_rows(session, operator_id)]
        notes = notes_by_key(session, [item.key for item in items])
    return [replace(item, notes=notes.get(item.key, ())) for item in items]


def _names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Operator.id, Operator.name)).all())


def _check_target(session: Session, operator_id: str | None) -> None:
    if operator_id is None:
        return
    target = session.get(Operator, operator_id)
    if target is None or not target.active:
        raise HandoverTargetInvalid()


def _give(ctx: OfficeContext, item: WorkItem, row, to_operator: str | None) -> None:
    """Reassign one item; a form draft cannot sit in the pool (it is someone's typing), so it goes to the actor."""
    if item.type in (PROPOSAL, COMPLAINT):
        row.assigned_to = to_operator
    elif item.type == NEXT_ACTION:
        row.addressed_to = to_operator
    elif item.type == FORM_DRAFT:
        row.operator_id = to_operator or ctx.operator_id


def hand_over_in(
    ctx: OfficeContext, session: Session, from_operator: str, assignments: dict, notes: dict,
) -> HandoverReport:
    from_row = session.get(Operator, from_operator)
    if from_row is None:
        raise HandoverItemUnknown()
    held = {item.key: (item, row) for item, row in open_rows(session, from_operator)}
    if set(assignments) - set(held) or set(notes) - set(assignments):
        raise HandoverItemUnknown()
    names = _names(session)
    lines = []
    for key, to_operator in assignments.items():
        _check_target(session, to_operator)
        item, row = held[key]
        if item.type == FORM_DRAFT:
            _free_draft_key(session, row, to_operator or ctx.operator_id)
        _give(ctx, item, row, to_operator)
        note = (notes.get(key) or "").strip() or None
        if note is not None:
            subject_type, subject_id = item.subject
            add_entry_in(ctx, session, subject_type=subject_type, subject_id=subject_id, kind="note", text=note,
                         addressed_to=to_operator, item_key=key)
        lines.append(HandoverLine(key, item.label, to_operator, names.get(to_operator) if to_operator else None, note))
    session.flush()
    targets = sorted({line.to_operator or "" for line in lines})
    ctx.audit(session, "handover", "operator", from_operator, items=len(lines), to=targets)
    return HandoverReport(from_operator, from_row.name, ctx.operator_id, ctx.clock(), tuple(lines))


def _free_draft_key(session: Session, draft: FormDraft, new_owner: str) -> None:
    # (operator, key) is unique: a draft that would collide with one of the new owner's gets a distinct key.
    taken = set(session.scalars(select(FormDraft.key).where(FormDraft.operator_id == new_owner)))
    if draft.key in taken:
        draft.key = f"{draft.key[:80]}#{draft.id}"


def hand_over(
    ctx: OfficeContext, *, from_operator: str, assignments: dict[str, str | None], notes: dict[str, str],
) -> HandoverReport:
    """Reassign each item (None = office pool) and write its note to the item's journal, all or nothing."""
    if ctx.operator_id != from_operator and ctx.operator_role != "lurah":
        raise HandoverNotAllowed()
    with ctx.transaction() as session:
        return hand_over_in(ctx, session, from_operator, assignments, notes)


def move_all_in(ctx: OfficeContext, session: Session, from_operator: str, to_operator: str | None) -> HandoverReport:
    """Every open item of ``from_operator`` to ``to_operator`` (or the pool), in the caller's transaction."""
    keys = [item.key for item, _ in open_rows(session, from_operator)]
    return hand_over_in(ctx, session, from_operator, {key: to_operator for key in keys}, {})


def move_all_open_work(lurah_ctx: OfficeContext, from_operator: str, to_operator: str | None) -> HandoverReport:
    """Sudden departure: the Lurah moves everything a person held, in one step, nothing left behind."""
    office_keys.require_lurah(lurah_ctx)
    with lurah_ctx.transaction() as session:
        return move_all_in(lurah_ctx, session, from_operator, to_operator)


def handover_notes_for(ctx: OfficeContext, operator_id: str) -> list[JournalView]:
    with ctx.reading() as session:
        names = _names(session)
        rows = session.scalars(
            select(JournalEntry).where(JournalEntry.addressed_to == operator_id, JournalEntry.item_key.is_not(None),
                                       JournalEntry.kind == "note")
            .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())
        )
        return [journal_view(row, names) for row in rows]


def last_dinsos_decisions(ctx: OfficeContext, limit: int = 20) -> list[DinsosDecision]:
    """What Dinsos decided lately (verified, returned, finalised...), newest first."""
    with ctx.reading() as session:
        rows = session.execute(
            select(ProposalTransition, Proposal)
            .join(Proposal, Proposal.id == ProposalTransition.proposal_id)
            .where(ProposalTransition.actor == "dinsos")
            .order_by(ProposalTransition.at.desc(), ProposalTransition.id.desc())
            .limit(limit)
        ).all()
        pages = dict(session.execute(
            select(PlaybookPage.return_reason_code, PlaybookPage.slug)
            .where(PlaybookPage.return_reason_code.is_not(None))
        ).all())
        page_titles = return_text.titles(session)
        decisions = []
        for t, proposal in rows:
            codes = [reason.code for reason in playbook.reasons_of(t)]
            head = head_member(proposal.household)
            words = [(r.text or page_titles.get(r.code) or humanise(r.code), pages.get(r.code))
                     for r in playbook.reasons_of(t)]
            decisions.append(DinsosDecision(
                t.proposal_id, proposal.tracking_code, t.to_state, return_text.reason_line(t, page_titles), t.at,
                tuple((c, pages.get(c)) for c in codes), household=head.name if head else "", reasons=tuple(words),
            ))
    return decisions


def onboarding(ctx: OfficeContext) -> Onboarding:
    """A new operator's first sign-in: their work, the notes left for them, the playbook, recent decisions."""
    return Onboarding(
        open_work=tuple(open_work(ctx, ctx.operator_id)),
        handover_notes=tuple(handover_notes_for(ctx, ctx.operator_id)),
        playbook=tuple(playbook.list_pages(ctx)),
        dinsos_decisions=tuple(last_dinsos_decisions(ctx)),
    )
