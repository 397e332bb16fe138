"""Check a proposal as the operator types, with every rule the save applies, writing nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace

from app.domain.proposal import Proposal
from app.domain.validation import Report
from app.services.context import OfficeContext
from app.services.proposals import collect_issues


def check_draft(ctx: OfficeContext, draft: Proposal, proposal_id: str | None = None) -> Report:
    """The report the save would raise on (errors and warnings), for inline messages."""
    if proposal_id is not None:
        draft = replace(draft, id=uuid.UUID(proposal_id))
    with ctx.reading() as session:
        return collect_issues(ctx, session, draft)
