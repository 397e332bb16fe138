"""The playbook beside a returned proposal: its coded reasons, and every code the office has met."""

from __future__ import annotations

from app.domain import workflow
from app.services import muskel, outbox, playbook, proposal_io, proposals
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_A, _DINSOS = workflow.Action, workflow.Actor.DINSOS


def returned_proposal(ctx, reasons: list[tuple[str, str]]) -> str:
    """A proposal taken through muskel and sending, then returned by Dinsos with ``reasons``."""
    summary = proposals.add_proposal(ctx, proposal_io.proposal_from_dict(factories.proposal_dict()))
    proposals.apply_action(ctx, summary.id, _A.SEND_TO_MUSKEL)
    muskel.record_decisions(ctx, {summary.id: "eligible"}, "ba.pdf", PDF)
    outbox.queue_proposal(ctx, summary.id)  # QUEUE only through the outbox (issue 9)
    proposals.apply_action(ctx, summary.id, _A.SEND, actor=workflow.Actor.SYSTEM)
    proposals.apply_action(ctx, summary.id, _A.RECEIVE, actor=_DINSOS)
    proposals.apply_action(ctx, summary.id, _A.RETURN, actor=_DINSOS, reason="; ".join(t for _c, t in reasons),
                           data={"reasons": [{"code": c, "text": t} for c, t in reasons]})
    return summary.id


def test_a_returned_proposal_gives_its_coded_reasons(office):
    pid = returned_proposal(office, [("foto_rumah_buram", "Foto rumah buram"), ("kk_buram", "KK buram")])
    assert playbook.return_reasons(office, pid) == [
        playbook.ReturnReason("foto_rumah_buram", "Foto rumah buram"), playbook.ReturnReason("kk_buram", "KK buram"),
    ]
    other = proposals.add_proposal(office, proposal_io.proposal_from_dict(
        factories.household_with(["3575030507700001"], kk="3575031203150099")))
    assert playbook.return_reasons(office, other.id) == []


def test_known_codes_come_from_returns_and_pages(office):
    returned_proposal(office, [("kk_buram", "KK buram")])
    playbook.save_page(office, slug="sktm", title="SKTM", body="Minta SKTM baru.", return_reason_code="sktm_kadaluarsa")
    assert playbook.known_return_reason_codes(office) == ["kk_buram", "sktm_kadaluarsa"]
