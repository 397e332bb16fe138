"""Dinsos's reasons for a return as stored steps carry them, in words (app.domain.reasons)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import workflow
from app.domain.reasons import reason_line as _line
from app.domain.reasons import reason_texts
from app.storage.handover_models import PlaybookPage
from app.storage.models import Proposal, ProposalTransition


def titles(session: Session) -> dict[str, str]:
    """Return-reason code -> the title of the office playbook's page on it."""
    return dict(session.execute(
        select(PlaybookPage.return_reason_code, PlaybookPage.title).where(PlaybookPage.return_reason_code.is_not(None))
    ).all())


def reason_line(step: ProposalTransition | None, page_titles: dict[str, str] | None = None) -> str | None:
    """All of a step's reasons on one line (Beranda)."""
    return _line(step.data, step.reason, page_titles) if step is not None else None


def returned_texts(session: Session, tracking_code: str) -> tuple[str, ...]:
    """Every reason Dinsos gave when returning any version of this proposal, oldest first, once each."""
    page_titles = titles(session)
    steps = session.scalars(
        select(ProposalTransition)
        .where(ProposalTransition.proposal_id.in_(select(Proposal.id).where(Proposal.tracking_code == tracking_code)),
               ProposalTransition.to_state == workflow.State.RETURNED.value)
        .order_by(ProposalTransition.at, ProposalTransition.id)
    ).all()
    seen: dict[str, None] = {}
    for step in steps:
        for text in reason_texts(step.data, step.reason, page_titles):
            seen.setdefault(text, None)
    return tuple(seen)
