"""A proposal Dinsos has returned with coded reasons, reached through the public services."""

from __future__ import annotations

from app.domain import workflow
from app.services import muskel, outbox, proposal_io, proposals
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_A, _DINSOS = workflow.Action, workflow.Actor.DINSOS


def returned_proposal(ctx, reasons: list[tuple[str, str]], *, reason_line: str | None = None, data=None) -> str:
    """Through muskel, the outbox and Dinsos's receipt, then returned with ``reasons`` (code, text).

    ``reason_line`` is the step's stored reason; by default what earlier releases wrote: "text (code); ...".
    """
    summary = proposals.add_proposal(ctx, proposal_io.proposal_from_dict(factories.proposal_dict()))
    proposals.apply_action(ctx, summary.id, _A.SEND_TO_MUSKEL)
    muskel.record_decisions(ctx, {summary.id: "eligible"}, "ba.pdf", PDF)
    outbox.queue_proposal(ctx, summary.id)
    factories.machine_step(ctx, summary.id, _A.SEND, workflow.Actor.SYSTEM)
    factories.machine_step(ctx, summary.id, _A.RECEIVE, _DINSOS)
    line = reason_line if reason_line is not None else "; ".join(f"{t} ({c})" for c, t in reasons)
    factories.machine_step(ctx, summary.id, _A.RETURN, _DINSOS, reason=line or None,
                           data=data if data is not None else {"reasons": [{"code": c, "text": t} for c, t in reasons]})
    return summary.id
