"""Pull Dinsos's signed status feed and move each proposal through the workflow as Dinsos decided."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.domain import workflow
from app.domain.errors import DomainError
from app.services.context import OfficeContext
from app.services.keys import NotProvisioned
from app.services.proposals import step_in
from app.services.sync import server_key
from app.storage.models import Proposal as ProposalRow
from app.storage.sync_models import StatusRecord, SyncLink
from app.sync.errors import FormatInvalid, StatusRejected
from app.sync.status import StatusPage, StatusUpdate, verify_status_page

log = logging.getLogger(__name__)
_A, _S = workflow.Action, workflow.State

# A status state -> the workflow step Dinsos took. "received" needs no step of its own.
ACTIONS = {"verified": _A.VERIFY, "returned": _A.RETURN, "finalised": _A.FINALISE,
           "approved": _A.APPROVE, "forwarded": _A.FORWARD}
MAX_PAGES = 100  # one pull never loops forever on a misbehaving server


@dataclass
class PullReport:
    applied: int = 0
    not_applied: list[int] = field(default_factory=list)
    cursor: int = 0


def _reason_text(update: StatusUpdate) -> str | None:
    # Dinsos's words only: the codes stay in the step's data, where the playbook looks them up.
    return "; ".join(r.text for r in update.reasons) or None


def _apply(ctx: OfficeContext, session, update: StatusUpdate) -> bool:
    row = session.get(ProposalRow, update.item_id)
    if row is None:
        return False
    data = {"status_cursor": update.feed_cursor, "decided_by_role": update.decided_by_role}
    # A status proves Dinsos has the item even if its receipt has not reached this office yet.
    if row.state == _S.QUEUED.value:
        step_in(ctx, session, row, _A.SEND, actor=workflow.Actor.SYSTEM)
    if row.state == _S.SENT.value:
        step_in(ctx, session, row, _A.RECEIVE, actor=workflow.Actor.DINSOS, data=dict(data))
    action = ACTIONS.get(update.state)
    if update.state == "received" or row.state == update.state:
        return True  # already there: a status seen twice changes nothing
    if action is None:
        return False
    reasons = [{"code": r.code, "text": r.text} for r in update.reasons]
    step_in(ctx, session, row, action, actor=workflow.Actor.DINSOS, reason=_reason_text(update),
            data={**data, "reasons": reasons})
    if action is _A.RETURN:
        # Someone must fix it: the operator who pulled the feed sees it in their own list.
        row.assigned_to = ctx.operator_id
    return True


def store_page(ctx: OfficeContext, page: StatusPage, report: PullReport) -> None:
    """One transaction per page: statuses, workflow steps and the new cursor land together.

    Updates at or below the stored cursor are already here (a page from a return file may start
    earlier than where this office stands): they are skipped, so a status is never applied twice.
    """
    with ctx.transaction() as session:
        link = session.get(SyncLink, 1)
        seen = link.status_cursor
        if page.cursor_to <= seen:
            report.cursor = seen
            return
        for update in page.updates:
            if update.feed_cursor <= seen:
                continue
            try:
                applied = _apply(ctx, session, update)
            except DomainError as err:
                # Kept with its proof and flagged, so the feed moves on and a person can look.
                applied = False
                ctx.audit(session, "status.not_applied", "proposal", update.item_id, code=err.code,
                          cursor=update.feed_cursor)
            session.add(StatusRecord(feed_cursor=update.feed_cursor, item_id=update.item_id, state=update.state,
                                     body=update.to_bytes().decode("utf-8"), applied=applied,
                                     received_at=ctx.clock()))
            if applied:
                report.applied += 1
            else:
                report.not_applied.append(update.feed_cursor)
        link.status_cursor = page.cursor_to
        ctx.audit(session, "status.pull", "office", ctx.office_id, cursor=page.cursor_to, updates=len(page.updates))
    report.cursor = page.cursor_to


def pull_statuses(ctx: OfficeContext, transport) -> PullReport:
    """Fetch pages after the stored cursor until none is new; each page verified before use."""
    report = PullReport()
    for _ in range(MAX_PAGES):
        with ctx.reading() as session:
            link = session.get(SyncLink, 1)
            if link is None or not link.feed_token:
                raise NotProvisioned()
            office_id, token, cursor, key = link.server_office_id, link.feed_token, link.status_cursor, server_key(session)
        try:
            page = StatusPage.from_dict(transport.get_statuses(office_id, cursor, token))
        except FormatInvalid as err:
            raise StatusRejected("bad_format", **err.params) from err
        verify_status_page(page, key, office_id=office_id, after_cursor=cursor)
        report.cursor = cursor
        if not page.updates:
            break
        store_page(ctx, page, report)
    return report
