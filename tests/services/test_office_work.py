"""Complaints, the counter, muskel in bulk, autosave and the dashboard, on a real office."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain import workflow
from app.domain.complaint import MissingOutcome
from app.domain.validation import ValidationFailed
from app.services import (
    autosave, citizen, complaints, dashboard, muskel, outbox, proposal_io, proposals, validation,
)
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add(ctx, data=None):
    return proposals.add_proposal(ctx, proposal_io.proposal_from_dict(data or factories.proposal_dict()))


def test_complaint_lifecycle_with_due_dates(office):
    c = complaints.register_complaint(
        office, category="salah_sasaran", reporter_name="Pak RT 03", description="Penerima sudah pindah",
        subject_nik=factories.HEAD_NIK,
    )
    assert c.status == "baru" and c.due_date > office.today()
    with pytest.raises(ValidationFailed):
        complaints.register_complaint(office, category="lainnya", reporter_name=" ", description="x")
    started = complaints.start_complaint(office, c.id)
    assert started.status == "diproses" and started.assigned_name == "Ani Operator"
    with pytest.raises(MissingOutcome):
        complaints.resolve_complaint(office, c.id, "  ")
    done = complaints.resolve_complaint(office, c.id, "Sudah dicek, diajukan sanggahan")
    assert done.status == "selesai" and done.outcome.startswith("Sudah")
    assert complaints.needing_attention(office) == []


def test_overdue_complaints_need_attention(office):
    c = complaints.register_complaint(office, category="data_salah", reporter_name="Bu Sri", description="Nama salah")
    later = office.today() + timedelta(days=30)
    office.today = lambda: later
    attention = complaints.needing_attention(office)
    assert [x.id for x in attention] == [c.id] and attention[0].overdue


def test_counter_finds_by_nik_and_tracking_code_with_masked_name(office):
    summary = add(office)
    by_code = citizen.find_for_citizen(office, summary.tracking_code.lower())
    by_nik = citizen.find_for_citizen(office, factories.CHILD_NIK)
    assert [s.tracking_code for s in by_code] == [s.tracking_code for s in by_nik] == [summary.tracking_code]
    assert by_code[0].head_name_masked == "S*** A*****"
    assert by_code[0].explanation  # plain words for the citizen
    assert citizen.find_for_citizen(office, "3575039999999999") == []
    receipt = citizen.receipt_data(office, summary.id)
    assert receipt.tracking_code == summary.tracking_code and receipt.head_name == "SITI AMINAH"
    assert receipt.kk_masked.startswith("357503") and "*" in receipt.kk_masked


def test_muskel_decisions_in_bulk_are_all_or_nothing(office):
    a = add(office)
    b = add(office, factories.household_with(["3575030507700001"], kk="3575031203150099"))
    for p in (a, b):
        proposals.apply_action(office, p.id, workflow.Action.SEND_TO_MUSKEL)
    assert {p.id for p in muskel.candidates(office)} == {a.id, b.id}
    with pytest.raises(workflow.UnknownDecision):
        muskel.record_decisions(office, {a.id: "eligible", b.id: "maybe"}, "ba.pdf", PDF)
    assert proposals.get_proposal(office, a.id).proposal.state is workflow.State.MUSKEL
    assert muskel.record_decisions(office, {a.id: "eligible", b.id: "not_eligible"}, "ba.pdf", PDF) == 2
    assert proposals.get_proposal(office, a.id).proposal.state is workflow.State.READY
    assert proposals.get_proposal(office, b.id).proposal.state is workflow.State.NOT_ELIGIBLE


def test_autosave_keeps_invalid_typing_per_operator(office):
    autosave.save_form(office, "proposal:new:1", "Usulan baru", {"nik": "123"})
    autosave.save_form(office, "proposal:new:1", "Usulan baru", {"nik": "1234"})
    assert autosave.load_form(office, "proposal:new:1") == {"nik": "1234"}
    assert [f.key for f in autosave.unfinished_forms(office)] == ["proposal:new:1"]
    autosave.discard_form(office, "proposal:new:1")
    assert autosave.load_form(office, "proposal:new:1") is None


def test_check_draft_reports_without_saving(office):
    data = factories.proposal_dict()
    data["household"]["members"][0]["nik"] = "123"
    report = validation.check_draft(office, proposal_io.proposal_from_dict(data))
    assert "members[0].nik" in [i.field for i in report.errors]
    assert proposals.list_proposals(office).total == 0


def test_dashboard_overview(office):
    draft = add(office)
    returned = add(office, factories.household_with(["3575030507700001"], kk="3575031203150099"))
    for action in (workflow.Action.SEND_TO_MUSKEL,):
        proposals.apply_action(office, returned.id, action)
    muskel.record_decisions(office, {returned.id: "eligible"}, "ba.pdf", PDF)
    outbox.queue_proposal(office, returned.id)
    factories.machine_step(office, returned.id, workflow.Action.SEND, workflow.Actor.SYSTEM)
    factories.machine_step(office, returned.id, workflow.Action.RECEIVE, workflow.Actor.DINSOS)
    factories.machine_step(office, returned.id, workflow.Action.RETURN, workflow.Actor.DINSOS,
                           reason="KK tidak terbaca")
    o = dashboard.overview(office)
    assert o.counts == {("baru", "draft"): 1, ("baru", "returned"): 1}
    assert [(s.id, r) for s, r in o.returned] == [(returned.id, "KK tidak terbaca")]
    assert [s.id for s in o.drafts] == [draft.id]
    assert o.queue_size == 0 and o.last_dinsos_contact is None


def test_counter_also_finds_by_the_family_card_number(office):
    summary = add(office)
    assert [s.tracking_code for s in citizen.find_for_citizen(office, factories.KK)] == [summary.tracking_code]
