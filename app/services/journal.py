"""Journal: notes, calls, visits and next actions on a proposal, a household or a complaint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.storage.handover_models import JournalEntry
from app.storage.models import Complaint, FormDraft, Operator, Proposal

SUBJECT_TYPES = ("proposal", "household", "complaint")
# A handover note can also go with an unfinished form, which only the handover writes about.
HANDOVER_SUBJECT_TYPES = (*SUBJECT_TYPES, "form_draft")
KINDS = ("note", "call", "visit", "next_action")
MAX_TEXT = 4000


class JournalSubjectUnknown(UsulkanError):
    template = N_("The journal entry has no valid subject.")
    hint = N_("Open the proposal, household or complaint again and write the entry there.")


class JournalEntryInvalid(UsulkanError):
    template = N_("The journal entry is empty or of an unknown kind.")
    hint = N_("Choose note, call, visit or next action and write a short text.")


@dataclass(frozen=True)
class JournalView:
    id: int
    subject_type: str
    subject_id: str
    kind: str
    text: str
    due_date: date | None
    done_at: datetime | None
    operator_id: str | None
    operator_name: str | None
    addressed_to: str | None
    item_key: str | None
    created_at: datetime
    addressed_to_name: str | None = None  # who the next action is for (after a handover, not the writer)


def _check_subject(session: Session, subject_type: str, subject_id: str) -> None:
    if subject_type == "proposal" and session.get(Proposal, subject_id) is not None:
        return
    if subject_type == "complaint" and session.get(Complaint, subject_id) is not None:
        return
    if subject_type == "form_draft" and subject_id.isdigit() and session.get(FormDraft, int(subject_id)) is not None:
        return
    # A household is known only by its No. KK, which has exactly 16 digits.
    if subject_type == "household" and len(subject_id) == 16 and subject_id.isdigit():
        return
    raise JournalSubjectUnknown()


def add_entry_in(
    ctx: OfficeContext, session: Session, *, subject_type: str, subject_id: str, kind: str, text: str,
    due_date: date | None = None, addressed_to: str | None = None, item_key: str | None = None,
) -> JournalEntry:
    """Write one entry inside the caller's transaction (handover writes many in one)."""
    text = (text or "").strip()
    if kind not in KINDS or not text or len(text) > MAX_TEXT:
        raise JournalEntryInvalid()
    if subject_type not in HANDOVER_SUBJECT_TYPES:
        raise JournalSubjectUnknown()
    _check_subject(session, subject_type, subject_id)
    if kind == "next_action" and addressed_to is None:
        # A next action belongs to someone: its writer, until a handover gives it to another.
        addressed_to = ctx.operator_id
    row = JournalEntry(
        subject_type=subject_type, subject_id=subject_id, kind=kind, text=text, due_date=due_date,
        addressed_to=addressed_to, operator_id=ctx.operator_id, item_key=item_key, created_at=ctx.clock(),
    )
    session.add(row)
    session.flush()
    # The text may name people: the audit log keeps only what kind of entry, on what.
    ctx.audit(session, "journal.add", subject_type, subject_id if subject_type in ("proposal", "complaint") else None,
              entry_id=row.id, kind=kind)
    return row


def add_entry(
    ctx: OfficeContext, *, subject_type: str, subject_id: str, kind: str, text: str, due_date: date | None = None,
) -> JournalView:
    if subject_type not in SUBJECT_TYPES:
        raise JournalSubjectUnknown()
    with ctx.transaction() as session:
        row = add_entry_in(ctx, session, subject_type=subject_type, subject_id=subject_id, kind=kind, text=text,
                           due_date=due_date)
        return journal_view(row, _names(session))


def complete_action(ctx: OfficeContext, entry_id: int) -> None:
    """Mark a next action done; it stays in the journal, just no longer open."""
    with ctx.transaction() as session:
        row = session.get(JournalEntry, entry_id)
        if row is None or row.kind != "next_action":
            raise JournalEntryInvalid()
        row.done_at = ctx.clock()
        ctx.audit(session, "journal.done", row.subject_type, None, entry_id=row.id)


def _names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Operator.id, Operator.name)).all())


def journal_view(row: JournalEntry, names: dict[str, str]) -> JournalView:
    return JournalView(
        id=row.id, subject_type=row.subject_type, subject_id=row.subject_id, kind=row.kind, text=row.text,
        due_date=row.due_date, done_at=row.done_at, operator_id=row.operator_id,
        operator_name=names.get(row.operator_id) if row.operator_id else None, addressed_to=row.addressed_to,
        item_key=row.item_key, created_at=row.created_at,
        addressed_to_name=names.get(row.addressed_to) if row.addressed_to else None,
    )


def entries(ctx: OfficeContext, subject_type: str, subject_id: str) -> list[JournalView]:
    """The subject's journal, newest first, with the names of who wrote each entry.

    A proposal's journal spans all its versions (they share the tracking code): the notes on the
    version Dinsos returned are what the operator fixing it in the new version needs.
    """
    if subject_type == "proposal":
        code = select(Proposal.tracking_code).where(Proposal.id == subject_id).scalar_subquery()
        subjects = select(Proposal.id).where(Proposal.tracking_code == code)
        where = JournalEntry.subject_id.in_(subjects)
    else:
        where = JournalEntry.subject_id == subject_id
    stmt = (
        select(JournalEntry)
        .where(JournalEntry.subject_type == subject_type, where)
        .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())
    )
    with ctx.reading() as session:
        names = _names(session)
        return [journal_view(row, names) for row in session.scalars(stmt)]


def open_next_actions_in(session: Session, operator_id: str | None = None) -> list[JournalEntry]:
    stmt = select(JournalEntry).where(JournalEntry.kind == "next_action", JournalEntry.done_at.is_(None))
    if operator_id is not None:
        stmt = stmt.where(JournalEntry.addressed_to == operator_id)
    # Undated actions last: a date is a promise to someone.
    return list(session.scalars(stmt.order_by(JournalEntry.due_date.is_(None), JournalEntry.due_date,
                                              JournalEntry.id)))


def open_next_actions(ctx: OfficeContext, operator_id: str | None = None) -> list[JournalView]:
    """Next actions not yet done (those owned by one operator, or all), soonest due first."""
    with ctx.reading() as session:
        names = _names(session)
        return [journal_view(row, names) for row in open_next_actions_in(session, operator_id)]
