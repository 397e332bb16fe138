"""Open work of one person (or of the office pool): what a handover has to give to someone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import complaint as complaint_rules
from app.domain import workflow
from app.domain.proposal import ProposalKind
from app.services.journal import open_next_actions_in
from app.storage.handover_models import JournalEntry
from app.storage.models import Complaint, FormDraft, Household, Proposal
from app.storage.proposal_repo import head_member

PROPOSAL, COMPLAINT, NEXT_ACTION, FORM_DRAFT = "proposal", "complaint", "next_action", "form_draft"
OPEN_COMPLAINT_STATUSES = tuple(s.value for s in complaint_rules.OPEN_STATUSES)


@dataclass(frozen=True)
class WorkItem:
    key: str  # "<type>:<id>", the key hand_over() takes
    type: str
    id: str
    # What the list shows: a tracking code with the household's name, a complaint category, a form's
    # title or an action's text.
    label: str
    state: str | None
    due_date: date | None
    updated_at: datetime | None
    # The journal subject a handover note on this item is written to.
    subject: tuple[str, str]
    notes: tuple[str, ...] = ()


def item_key(item_type: str, item_id) -> str:
    return f"{item_type}:{item_id}"


def split_key(key: str) -> tuple[str, str]:
    item_type, _, item_id = key.partition(":")
    return item_type, item_id


def _open_proposal(row: Proposal) -> bool:
    return workflow.is_open(workflow.State(row.state), ProposalKind(row.kind))


def proposal_label(row: Proposal) -> str:
    """'USK-7K3M-Q9TD · SITI AMINAH': a person deciding on it knows the household, not the code."""
    head = head_member(row.household) if row.household is not None else None
    return f"{row.tracking_code} \u00b7 {head.name}" if head is not None and head.name else row.tracking_code


def proposal_item(row: Proposal) -> WorkItem:
    return WorkItem(item_key(PROPOSAL, row.id), PROPOSAL, row.id, proposal_label(row), row.state, None,
                    row.updated_at, (PROPOSAL, row.id))


def complaint_item(row: Complaint) -> WorkItem:
    return WorkItem(item_key(COMPLAINT, row.id), COMPLAINT, row.id, row.category, row.status, row.due_date,
                    row.received_at, (COMPLAINT, row.id))


def action_item(row: JournalEntry) -> WorkItem:
    return WorkItem(item_key(NEXT_ACTION, row.id), NEXT_ACTION, str(row.id), row.text, None, row.due_date,
                    row.created_at, (row.subject_type, row.subject_id))


def draft_item(row: FormDraft) -> WorkItem:
    return WorkItem(item_key(FORM_DRAFT, row.id), FORM_DRAFT, str(row.id), row.title, None, None,
                    row.updated_at, (FORM_DRAFT, str(row.id)))


def _assigned(column, operator_id: str | None):
    return column.is_(None) if operator_id is None else column == operator_id


def open_rows(session: Session, operator_id: str | None) -> list[tuple[WorkItem, object]]:
    """(item, row) of everything open held by ``operator_id``; None lists the office pool."""
    found: list[tuple[WorkItem, object]] = []
    proposals = session.scalars(
        select(Proposal).where(_assigned(Proposal.assigned_to, operator_id)).order_by(Proposal.updated_at)
        .options(selectinload(Proposal.household).selectinload(Household.members))
    )
    found += [(proposal_item(row), row) for row in proposals if _open_proposal(row)]
    complaints = session.scalars(
        select(Complaint).where(_assigned(Complaint.assigned_to, operator_id),
                                Complaint.status.in_(OPEN_COMPLAINT_STATUSES)).order_by(Complaint.due_date)
    )
    found += [(complaint_item(row), row) for row in complaints]
    actions = [row for row in open_next_actions_in(session, None) if row.addressed_to == operator_id]
    found += [(action_item(row), row) for row in actions]
    if operator_id is not None:
        drafts = session.scalars(
            select(FormDraft).where(FormDraft.operator_id == operator_id).order_by(FormDraft.updated_at)
        )
        found += [(draft_item(row), row) for row in drafts]
    return found


def notes_by_key(session: Session, keys: list[str]) -> dict[str, tuple[str, ...]]:
    """Handover notes written for each item, oldest first (they read as a story)."""
    notes: dict[str, list[str]] = {}
    if not keys:
        return {}
    rows = session.scalars(
        select(JournalEntry).where(JournalEntry.item_key.in_(keys)).order_by(JournalEntry.created_at, JournalEntry.id)
    )
    for row in rows:
        notes.setdefault(row.item_key, []).append(row.text)
    return {key: tuple(texts) for key, texts in notes.items()}
