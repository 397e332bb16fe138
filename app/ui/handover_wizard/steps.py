"""The handover's steps as they run off the GUI thread: read the work, hand over, countersign, revoke.

Each step gets the open office context from the task runner, uses it for this one step and keeps
nothing. The Lurah's approval is turned into a ``LurahConfirmation`` here and spent at once by
the service, which opens (and closes) the Lurah's own context itself: no page ever holds a
session, the Lurah's or anyone's. The PDF of the record is rendered here too, off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services import handover, handover_report, operators
from app.services import lurah as lurah_service
from app.services.context import OfficeContext
from app.services.handover_report import HandoverRecordView
from app.services.handover_work import WorkItem
from app.ui.handover_pdf import handover_pdf
from app.ui.lurah_approval import Approval


@dataclass(frozen=True)
class OpenWork:
    """What the first page shows: the leaver's open items, who can take them, the Lurah, the leaver's name."""

    items: list[WorkItem]
    people: list[tuple[str, str]]
    lurah: tuple[str, str] | None
    from_name: str


def read_work(ctx: OfficeContext, from_operator: str) -> OpenWork:
    return OpenWork(handover.open_work(ctx, from_operator), handover_report.successors(ctx, from_operator),
                    handover_report.lurah_of(ctx), handover_report.operator_name(ctx, from_operator))


def hand_over(ctx: OfficeContext, from_operator: str, assignments: dict[str, str | None], notes: dict[str, str],
              successor: str | None) -> tuple[str, HandoverRecordView, bytes]:
    """Move the work and store its signed record in one transaction: (record id, its view, its PDF)."""
    _report, record_id = handover_report.hand_over_and_record(
        ctx, from_operator=from_operator, assignments=assignments, notes=notes, successor=successor)
    view = handover_report.record_view(ctx, record_id)
    return record_id, view, handover_pdf(view)


def countersign(ctx: OfficeContext, record_id: str, approval: Approval) -> tuple[HandoverRecordView, bytes]:
    """The Lurah endorses the record with the passphrase typed now (Argon2id: never on the GUI thread)."""
    try:
        confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.ENDORSE,
                                             subject=record_id, totp_code=approval.totp_code)
        view = handover_report.countersign(ctx, record_id, confirmation)
    except handover_report.AlreadyCountersigned:
        view = handover_report.record_view(ctx, record_id)
    return view, handover_pdf(view)


def revoke(ctx: OfficeContext, leaver: str, reason: str, approval: Approval) -> operators.RevocationResult:
    """The Lurah revokes the leaver, approving this step on its own (with the next code when enrolled)."""
    confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.REVOKE,
                                         subject=leaver, totp_code=approval.totp_code)
    return operators.revoke_operator(ctx, leaver, reason=reason, confirmation=confirmation)
