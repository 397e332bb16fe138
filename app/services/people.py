"""The office's people as the People page shows them, and whether someone signs in for the first time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.services.context import OfficeContext
from app.services.handover_work import open_rows
from app.services.operators import certificates_expiring
from app.storage.handover_models import LurahTotp
from app.storage.models import AuditEntry, Operator
from app.storage.sync_models import Certificate

UNLOCK_EVENT = "office.unlock"  # what office._context writes at every sign-in
WARN_DAYS = 30


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    active: bool
    created_at: datetime
    revoked_at: datetime | None
    # The newest certificate's end; None before the office is linked to Dinsos or for the revoked.
    valid_until: datetime | None
    expired: bool
    expiring: bool  # within WARN_DAYS, not yet expired
    open_items: int
    totp: bool
    last_sign_in: datetime | None

    @property
    def needs_attention(self) -> bool:
        return self.active and (self.expired or self.expiring)


def list_people(ctx: OfficeContext, within_days: int = WARN_DAYS) -> list[Person]:
    """Everyone who has held a keyslot: the active first (by name), then the revoked."""
    warnings = {c.operator_id: c for c in certificates_expiring(ctx, within_days)}
    with ctx.reading() as session:
        operators = session.scalars(select(Operator).order_by(Operator.active.desc(), Operator.name)).all()
        newest = dict(session.execute(
            select(Certificate.operator_id, func.max(Certificate.valid_until)).group_by(Certificate.operator_id)
        ).all())
        signed_in = dict(session.execute(
            select(AuditEntry.operator_id, func.max(AuditEntry.at))
            .where(AuditEntry.action == UNLOCK_EVENT).group_by(AuditEntry.operator_id)
        ).all())
        with_totp = set(session.scalars(select(LurahTotp.operator_id)))
        people = []
        for op in operators:
            warning = warnings.get(op.id) if op.active else None
            people.append(Person(
                id=op.id, name=op.name, role=op.role, active=op.active, created_at=op.created_at,
                revoked_at=op.revoked_at, valid_until=newest.get(op.id) if op.active else None,
                expired=bool(warning and warning.expired), expiring=bool(warning and not warning.expired),
                open_items=len(open_rows(session, op.id)) if op.active else 0,
                totp=op.id in with_totp, last_sign_in=signed_in.get(op.id),
            ))
    return people


def sign_in_count(ctx: OfficeContext, operator_id: str | None = None) -> int:
    """How often ``operator_id`` (default: who is signed in) has opened the office, this time included."""
    with ctx.reading() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.action == UNLOCK_EVENT, AuditEntry.operator_id == (operator_id or ctx.operator_id))
        ) or 0


def is_first_sign_in(ctx: OfficeContext) -> bool:
    """True on the signed-in person's first session: the audit log holds only this one unlock.

    Derived from the hash-chained log rather than a flag, so it cannot go stale, and it holds
    on every PC the office folder is copied to.
    """
    return sign_in_count(ctx) <= 1
