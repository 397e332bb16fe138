"""A new version of a returned proposal keeps what still counts: Dinsos's reason, version 1's history,
the household's documents (not version 1's step evidence); the citizen hears an old return only while
it is still the news."""

from __future__ import annotations

from app.domain import workflow
from app.services import attachments, citizen, muskel, outbox, playbook, proposal_io, proposals
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
_A, _DINSOS = workflow.Action, workflow.Actor.DINSOS
REASON = ("foto_rumah_buram", "Foto rumah buram, mohon foto ulang.")


def returned(ctx) -> str:
    summary = proposals.add_proposal(ctx, proposal_io.proposal_from_dict(factories.proposal_dict()))
    attachments.attach_to_proposal(ctx, summary.id, kind="kk", filename="kk.pdf", data=PDF)
    proposals.apply_action(ctx, summary.id, _A.SEND_TO_MUSKEL)
    muskel.record_decisions(ctx, {summary.id: "eligible"}, "ba.pdf", PDF)
    outbox.queue_proposal(ctx, summary.id)
    factories.machine_step(ctx, summary.id, _A.SEND, workflow.Actor.SYSTEM)
    factories.machine_step(ctx, summary.id, _A.RECEIVE, _DINSOS)
    factories.machine_step(ctx, summary.id, _A.RETURN, _DINSOS, reason=REASON[1],
                           data={"reasons": [{"code": REASON[0], "text": REASON[1]}]})
    return summary.id


def test_the_new_version_still_shows_why_version_1_was_returned(office):
    first = returned(office)
    assert playbook.reasons_to_fix(office, first) == (1, [playbook.ReturnReason(*REASON)])
    second = proposals.new_version(office, first).id
    assert playbook.reasons_to_fix(office, second) == (1, [playbook.ReturnReason(*REASON)])
    proposals.apply_action(office, second, _A.SEND_TO_MUSKEL)
    assert playbook.reasons_to_fix(office, second)[1]  # still in sight on its way through the muskel
    muskel.record_decisions(office, {second: "eligible"}, "ba2.pdf", PDF)
    outbox.queue_proposal(office, second)
    assert playbook.reasons_to_fix(office, second) == (None, [])  # gone to Dinsos again: no longer the news


def test_the_new_version_shows_the_history_of_version_1(office):
    first = returned(office)
    second = proposals.new_version(office, first).id
    detail = proposals.get_proposal(office, second)
    assert [t.action for t in detail.transitions] == ["create"]
    earlier = [(version, t.action) for version, t in detail.earlier]
    assert earlier[0] == (1, "create") and (1, "return") in earlier and (1, "revise") == earlier[-1]
    assert REASON[1] in [t.reason for _v, t in detail.earlier]
    assert proposals.get_proposal(office, first).earlier == ()


def test_the_new_version_keeps_the_households_documents_not_the_old_step_evidence(office):
    first = returned(office)
    attachments.attach_to_proposal(office, first, kind="other", filename="sktm.pdf", data=PDF)
    second = proposals.new_version(office, first).id
    kept = {(a.kind, a.filename) for a in attachments.list_attachments(office, second)}
    assert kept == {("kk", "kk.pdf"), ("other", "sktm.pdf")}  # the minutes stay with version 1's muskel
    old = {(a.kind, a.filename) for a in attachments.list_attachments(office, first)}
    assert ("muskel_minutes", "ba.pdf") in old and ("kk", "kk.pdf") in old  # version 1 keeps its own
    (info,) = [a for a in attachments.list_attachments(office, second) if a.kind == "kk"]
    assert attachments.read_attachment(office, info.id)[1] == PDF


def test_the_counter_tells_an_old_return_only_while_it_is_the_news(office):
    first = returned(office)
    tracking = proposals.get_proposal(office, first).proposal.tracking_code
    (status,) = citizen.find_for_citizen(office, tracking)
    assert status.returned_reasons == (REASON[1],)
    second = proposals.new_version(office, first).id
    (status,) = citizen.find_for_citizen(office, tracking)
    assert status.state == "draft" and status.returned_reasons == (REASON[1],)  # being fixed: say why
    proposals.apply_action(office, second, _A.SEND_TO_MUSKEL)
    muskel.record_decisions(office, {second: "eligible"}, "ba2.pdf", PDF)
    outbox.queue_proposal(office, second)
    for action in (_A.SEND, _A.RECEIVE, _A.VERIFY, _A.FINALISE):
        actor = workflow.Actor.SYSTEM if action is _A.SEND else _DINSOS
        factories.machine_step(office, second, action, actor)
    (status,) = citizen.find_for_citizen(office, factories.HEAD_NIK)
    assert status.state == "finalised" and status.returned_reasons == ()
