"""The dashboard in one read: counts, the send queue and what needs attention today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain import workflow
from app.services import autosave, complaints, outbox, proposals, return_text
from app.services.backup import BackupHealth, health as backup_health
from app.services.complaints import ComplaintView
from app.services.context import OfficeContext
from app.services.lurah_todo import LurahTodos, lurah_todos
from app.services.operators import ExpiringCertificate, certificates_expiring
from app.storage import proposal_repo as repo
from app.storage.models import Office, Proposal, ProposalTransition
from app.storage.read_models import ProposalSummary
from app.storage.sync_models import SyncLink

ATTENTION_LIMIT = 20
# Weeks ahead, so the Lurah can renew before anyone is stopped (the People page warns from the same day).
CERT_WARN_DAYS = 30


@dataclass(frozen=True)
class Overview:
    counts: dict[tuple[str, str], int]
    queue_size: int
    returned: list[tuple[ProposalSummary, str | None]]
    muskel_pending: list[ProposalSummary]
    drafts: list[ProposalSummary]
    unsaved_forms: list[autosave.FormDraft]
    complaints_attention: list[ComplaintView]
    server_url: str | None
    last_dinsos_contact: datetime | None
    # Signing certificates expired or ending within CERT_WARN_DAYS: everyone's for the Lurah, who
    # renews them; an operator's own otherwise.
    certificates: tuple[ExpiringCertificate, ...] = ()
    # The last round could not reach Dinsos (sync_link.last_error): "connected" is not true now.
    dinsos_unreachable: bool = False
    # The Lurah's own to-dos (None for everyone else).
    lurah: LurahTodos | None = None
    # The newest good backup and the backup folder (Beranda warns when stale or missing).
    backup: BackupHealth | None = None


def _ids_in_state(session, state: workflow.State, *, operator_id: str | None = None) -> list[str]:
    stmt = select(Proposal.id).where(Proposal.state == state.value).order_by(Proposal.updated_at.desc())
    if operator_id:
        stmt = stmt.where(Proposal.assigned_to == operator_id)
    return session.scalars(stmt.limit(ATTENTION_LIMIT)).all()


def overview(ctx: OfficeContext) -> Overview:
    counts = proposals.count_by_state(ctx)
    with ctx.reading() as session:
        returned_ids = _ids_in_state(session, workflow.State.RETURNED)
        # The latest return of each, in one query (newest transition id wins).
        reasons: dict[str, str | None] = {}
        reason_titles = return_text.titles(session)
        for step in session.scalars(
            select(ProposalTransition)
            .where(ProposalTransition.proposal_id.in_(returned_ids),
                   ProposalTransition.to_state == workflow.State.RETURNED.value)
            .order_by(ProposalTransition.id)
        ):
            reasons[step.proposal_id] = return_text.reason_line(step, reason_titles)
        returned = [(summary, reasons.get(summary.id)) for summary in repo.summaries(session, returned_ids)]
        muskel = repo.summaries(session, _ids_in_state(session, workflow.State.MUSKEL))
        drafts = repo.summaries(session, _ids_in_state(session, workflow.State.DRAFT, operator_id=ctx.operator_id))
        office = session.scalars(select(Office)).first()
        link = session.get(SyncLink, 1)
        # The same count as Pengiriman and the status bar, from the outbox itself.
        queue = outbox.queue_size(session)
    return Overview(
        counts=counts,
        queue_size=queue,
        returned=returned,
        muskel_pending=muskel,
        drafts=drafts,
        unsaved_forms=autosave.unfinished_forms(ctx),
        complaints_attention=complaints.needing_attention(ctx),
        server_url=office.server_url if office else None,
        # Only a round in which Dinsos answered counts as contact (app.services.sync_run).
        last_dinsos_contact=link.last_contact_at if link else None,
        dinsos_unreachable=bool(link and link.last_error == "unreachable"),
        certificates=tuple(
            cert for cert in certificates_expiring(ctx, CERT_WARN_DAYS)
            if ctx.operator_role == workflow.Actor.LURAH.value or cert.operator_id == ctx.operator_id
        ),
        lurah=lurah_todos(ctx),
        backup=backup_health(ctx.folder, ctx.office_id, now=ctx.clock()),
    )
