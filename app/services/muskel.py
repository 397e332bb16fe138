"""Musyawarah kelurahan: the candidate list (BNBA) and the meeting's decisions recorded in bulk."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.domain import workflow
from app.domain.household import normalise_rt
from app.services import proposals
from app.services.attachments import attach_in
from app.services.context import OfficeContext
from app.storage import proposal_repo as repo
from app.storage.attachments import check_attachment
from app.storage.models import Household, Proposal
from app.storage.read_models import ProposalSummary

# Long loops take these from the caller (the UI passes a job's): ``cancel()`` raises to stop,
# which rolls the transaction back; ``progress(done, total)`` says how far the loop is.
Cancel = Callable[[], None]
Progress = Callable[[int, int], None]


def candidates(ctx: OfficeContext, *, rw: str | None = None, rt: str | None = None) -> list[ProposalSummary]:
    """Proposals waiting for the muskel, by RW, RT and address (the order of the BNBA sheet)."""
    stmt = (
        select(Proposal.id)
        .join(Household, Household.proposal_id == Proposal.id)
        .where(Proposal.state == workflow.State.MUSKEL.value)
        .order_by(Household.rw, Household.rt, Household.address)
    )
    if rw:
        stmt = stmt.where(Household.rw == normalise_rt(rw))
    if rt:
        stmt = stmt.where(Household.rt == normalise_rt(rt))
    with ctx.reading() as session:
        return repo.summaries(session, session.scalars(stmt).all())


def record_decisions(
    ctx: OfficeContext,
    decisions: dict[str, str],
    minutes_filename: str,
    minutes_bytes: bytes,
    *,
    cancel: Cancel | None = None,
    progress: Progress | None = None,
) -> int:
    """Attach the signed minutes to each proposal and record each decision, all or nothing.

    ``cancel`` is called before each proposal; whatever it raises undoes every decision.
    """
    checked = check_attachment(minutes_filename, minutes_bytes)
    total = len(decisions)
    with ctx.transaction() as session:
        for done, (proposal_id, decision) in enumerate(decisions.items()):
            if cancel is not None:
                cancel()
            if progress is not None:
                progress(done, total)
            row = session.get(Proposal, proposal_id)
            if row is None:
                raise proposals.ProposalNotFound(reference=proposal_id)
            minutes = attach_in(
                ctx, session, proposal_id, kind="muskel_minutes", filename=minutes_filename,
                data=minutes_bytes, checked=checked,
            )
            proposals.step_in(
                ctx, session, row, workflow.Action.RECORD_MUSKEL_DECISION,
                data={workflow.DECISION: decision, workflow.MINUTES: minutes.id},
            )
        if cancel is not None:
            cancel()  # the last chance: after this the meeting's decisions are committed
        if progress is not None:
            progress(total, total)
    return total


def ready_among(ctx: OfficeContext, proposal_ids: list[str]) -> list[str]:
    """Which of these proposals are ready to send (the muskel found them eligible), in the given order."""
    with ctx.reading() as session:
        ready = set(session.scalars(select(Proposal.id).where(
            Proposal.id.in_(proposal_ids), Proposal.state == workflow.State.READY.value)))
    return [pid for pid in proposal_ids if pid in ready]


def record_export(
    ctx: OfficeContext, *, file_format: str, count: int, rw: str | None = None, rt: str | None = None,
    write: Callable[[], object] | None = None,
) -> None:
    """A BNBA list left the database (names and addresses on paper or in a file): audit it.

    Given ``write`` (which makes the file), the entry is committed only if the file was
    written: a failed or cancelled export leaves neither a file nor an entry.
    """
    with ctx.transaction() as session:
        detail = {"format": file_format, "count": count, "rw": rw}
        if rt:
            detail["rt"] = rt
        ctx.audit(session, "bnba.export", "muskel", None, **detail)
        if write is not None:
            write()
