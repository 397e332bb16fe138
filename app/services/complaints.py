"""Complaints (pengaduan): register, assign, handle and resolve, each step audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import or_, select

from app.domain import complaint as rules
from app.domain.complaint import Complaint, ComplaintCategory, ComplaintStatus
from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.storage.models import Complaint as ComplaintRow
from app.storage.models import Operator


class ComplaintNotFound(UsulkanError):
    template = N_("The complaint was not found.")
    hint = N_("Refresh the list; it may have been closed.")


@dataclass(frozen=True)
class ComplaintView:
    id: str
    category: str
    reporter_name: str
    reporter_contact: str | None
    subject_nik: str | None
    description: str
    received_at: datetime
    due_date: date
    assigned_to: str | None
    assigned_name: str | None
    status: str
    outcome: str | None
    overdue: bool
    due_soon: bool


def _to_domain(row: ComplaintRow) -> Complaint:
    return Complaint(
        id=uuid.UUID(row.id),
        category=ComplaintCategory(row.category),
        reporter_name=row.reporter_name,
        reporter_contact=row.reporter_contact or "",
        subject_nik=row.subject_nik,
        description=row.description,
        received_at=row.received_at,
        due_date=row.due_date,
        assigned_to=row.assigned_to,
        status=ComplaintStatus(row.status),
        outcome=row.outcome,
    )


def _view(row: ComplaintRow, names: dict[str, str], today: date) -> ComplaintView:
    c = _to_domain(row)
    return ComplaintView(
        id=row.id,
        category=row.category,
        reporter_name=row.reporter_name,
        reporter_contact=row.reporter_contact,
        subject_nik=row.subject_nik,
        description=row.description,
        received_at=row.received_at,
        due_date=row.due_date,
        assigned_to=row.assigned_to,
        assigned_name=names.get(row.assigned_to) if row.assigned_to else None,
        status=row.status,
        outcome=row.outcome,
        overdue=rules.is_overdue(c, today),
        due_soon=rules.is_due_soon(c, today),
    )


def _names(session) -> dict[str, str]:
    return dict(session.execute(select(Operator.id, Operator.name)).all())


def register_complaint(
    ctx: OfficeContext,
    *,
    category: str,
    reporter_name: str,
    reporter_contact: str = "",
    subject_nik: str | None = None,
    description: str,
) -> ComplaintView:
    c = rules.new_complaint(
        category=ComplaintCategory(category),
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        description=description,
        received_at=ctx.clock(),
        subject_nik=subject_nik or None,
        regions=ctx.regions,
    )
    with ctx.transaction() as session:
        row = ComplaintRow(
            id=str(c.id),
            category=c.category.value,
            reporter_name=c.reporter_name,
            reporter_contact=c.reporter_contact or None,
            subject_nik=c.subject_nik,
            description=c.description,
            received_at=c.received_at,
            due_date=c.due_date,
            assigned_to=None,
            status=c.status.value,
            outcome=None,
            created_by=ctx.operator_id,
        )
        session.add(row)
        ctx.audit(session, "complaint.create", "complaint", row.id, category=row.category)
        return _view(row, _names(session), ctx.today())


def _change(ctx: OfficeContext, complaint_id: str, event: str, step) -> ComplaintView:
    """Load, apply one domain step, store, audit: the shape of every complaint use case."""
    with ctx.transaction() as session:
        row = session.get(ComplaintRow, complaint_id)
        if row is None:
            raise ComplaintNotFound()
        after = step(_to_domain(row))
        row.status = after.status.value
        row.assigned_to = after.assigned_to
        row.outcome = after.outcome
        if after.status in (ComplaintStatus.SELESAI, ComplaintStatus.DITUTUP) and row.resolved_at is None:
            row.resolved_at = ctx.clock()
        ctx.audit(session, event, "complaint", row.id, status=row.status)
        return _view(row, _names(session), ctx.today())


def assign_complaint(ctx: OfficeContext, complaint_id: str, operator_id: str) -> ComplaintView:
    return _change(ctx, complaint_id, "complaint.assign", lambda c: replace(c, assigned_to=operator_id))


def start_complaint(ctx: OfficeContext, complaint_id: str) -> ComplaintView:
    return _change(
        ctx, complaint_id, "complaint.start",
        lambda c: rules.start(c, assigned_to=c.assigned_to or ctx.operator_id),
    )


def resolve_complaint(ctx: OfficeContext, complaint_id: str, outcome: str) -> ComplaintView:
    return _change(ctx, complaint_id, "complaint.resolve", lambda c: rules.resolve(c, outcome))


def close_complaint(ctx: OfficeContext, complaint_id: str, outcome: str | None = None) -> ComplaintView:
    return _change(ctx, complaint_id, "complaint.close", lambda c: rules.close(c, outcome))


def get_complaint(ctx: OfficeContext, complaint_id: str) -> ComplaintView:
    with ctx.transaction() as session:
        row = session.get(ComplaintRow, complaint_id)
        if row is None:
            raise ComplaintNotFound()
        ctx.audit(session, "complaint.view", "complaint", row.id)
        return _view(row, _names(session), ctx.today())


def list_complaints(ctx: OfficeContext, *, statuses: tuple[str, ...] = (), query: str = "") -> list[ComplaintView]:
    """Complaints, soonest due first; ``query`` matches the reporter's name or the subject NIK."""
    stmt = select(ComplaintRow).order_by(ComplaintRow.due_date, ComplaintRow.received_at)
    if statuses:
        stmt = stmt.where(ComplaintRow.status.in_(statuses))
    if query.strip():
        text = query.strip()
        stmt = stmt.where(
            or_(ComplaintRow.reporter_name.ilike(f"%{text}%"), ComplaintRow.subject_nik == text)
        )
    with ctx.reading() as session:
        names = _names(session)
        return [_view(row, names, ctx.today()) for row in session.scalars(stmt)]


def needing_attention(ctx: OfficeContext) -> list[ComplaintView]:
    """Open complaints that are overdue or due within three days."""
    open_statuses = tuple(s.value for s in rules.OPEN_STATUSES)
    return [c for c in list_complaints(ctx, statuses=open_statuses) if c.overdue or c.due_soon]


def operators(ctx: OfficeContext) -> list[tuple[str, str]]:
    """Who a complaint can be assigned to: the active people of the office."""
    with ctx.reading() as session:
        return list(
            session.execute(
                select(Operator.id, Operator.name).where(Operator.active.is_(True)).order_by(Operator.name)
            ).all()
        )
