"""Checking the office audit log, for `usulkan audit verify` and the settings screen."""

from __future__ import annotations

from app.services.context import OfficeContext
from app.storage import audit


def verify_audit(ctx: OfficeContext) -> audit.AuditReport:
    with ctx.reading() as session:
        report = audit.verify(session)
    with ctx.transaction() as session:
        ctx.audit(session, "audit.verify", "audit", None, entries=report.entries, ok=report.ok)
    return report
