"""Proposal use cases on a real encrypted office: validation, duplicates, versions, search."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain import workflow
from app.domain.validation import ValidationFailed
from app.services import attachments, outbox, proposal_io, proposals
from app.storage.models import AuditEntry, Member, Proposal
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add(ctx, data=None, **kw):
    return proposals.add_proposal(ctx, proposal_io.proposal_from_dict(data or factories.proposal_dict()), **kw)


def count(ctx, model):
    with ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_valid_proposal_is_saved_as_a_draft_with_a_tracking_code(office):
    summary = add(office)
    assert summary.state == "draft"
    assert summary.head_name == "SITI AMINAH"
    assert summary.rt == "003" and summary.rw == "002"
    detail = proposals.get_proposal(office, summary.tracking_code)
    assert detail.proposal.household.members[1].nik == factories.SPOUSE_NIK
    assert [t.to_state for t in detail.transitions] == ["draft"]
    assert detail.transitions[0].operator_name == "Ani Operator"


def test_an_invalid_nik_is_refused_and_nothing_is_saved(office):
    data = factories.proposal_dict()
    data["household"]["members"][0]["nik"] = "35750347088500"  # 14 digits
    with pytest.raises(ValidationFailed) as info:
        add(office, data)
    fields = [issue.field for issue in info.value.report.errors]
    assert "members[0].nik" in fields
    assert count(office, Proposal) == 0
    assert count(office, Member) == 0


def test_the_same_nik_cannot_sit_in_two_open_proposals(office):
    first = add(office)
    other = factories.household_with([factories.HEAD_NIK, "3575030101200001"], kk="3575030101210009")
    with pytest.raises(ValidationFailed) as info:
        add(office, other)
    errors = info.value.report.errors
    assert [e.field for e in errors] == ["members[0].nik"]
    assert first.tracking_code in errors[0].error.message()
    assert count(office, Proposal) == 1


def test_a_nik_from_another_city_needs_confirmation(office):
    # District 35.07.01 is in Kabupaten Malang, not Kota Pasuruan.
    data = factories.household_with(["3507014708850003"], kk="3575031203150005")
    with pytest.raises(ValidationFailed) as info:
        add(office, data)
    warnings = [i.error.code for i in info.value.report.warnings]
    assert warnings == ["nik_outside_office_region"]
    assert not info.value.report.errors
    summary = add(office, data, confirmed_warnings={"nik_outside_office_region"})
    assert summary.state == "draft"


def test_search_by_nik_kk_and_name(office):
    add(office)
    add(office, factories.household_with(["3575030507700001"], kk="3575031203150099"))
    find = lambda q: [r.head_nik for r in proposals.list_proposals(office, proposals.ProposalFilter(query=q)).rows]
    assert find(factories.SPOUSE_NIK) == [factories.HEAD_NIK]
    assert find("3575031203150099") == ["3575030507700001"]
    assert find("budi san") == [factories.HEAD_NIK]  # prefix, case ignored
    assert find("ANTOSO") == [factories.HEAD_NIK]  # any part of a name
    assert find("anggota") == ["3575030507700001"]
    assert find("tidak ada") == []


def test_queued_proposals_are_immutable_and_revising_makes_a_new_version(office):
    summary = add(office)
    ref = summary.id
    proposals.apply_action(office, ref, workflow.Action.SEND_TO_MUSKEL)
    with pytest.raises(proposals.DocumentNotAttached):
        proposals.apply_action(office, ref, workflow.Action.RECORD_MUSKEL_DECISION,
                               data={"decision": "eligible", "minutes_attachment_id": "not-attached"})
    minutes = attachments.attach_to_proposal(office, ref, kind="muskel_minutes", filename="ba.pdf", data=PDF)
    proposals.apply_action(office, ref, workflow.Action.RECORD_MUSKEL_DECISION,
                           data={"decision": "eligible", "minutes_attachment_id": minutes.id})
    outbox.queue_proposal(office, ref)
    draft = proposal_io.proposal_from_dict(factories.proposal_dict(desil=1))
    with pytest.raises(proposals.ProposalLocked):
        proposals.update_proposal(office, ref, draft)
    new = proposals.new_version(office, ref)
    assert new.version == 2 and new.state == "draft"
    assert new.tracking_code == summary.tracking_code
    old = proposals.get_proposal(office, ref)
    assert old.proposal.state is workflow.State.SUPERSEDED
    # The tracking code now finds the new version.
    assert proposals.get_proposal(office, summary.tracking_code).proposal.version == 2
    # The NIK moved with it: the superseded version no longer blocks it.
    updated = proposals.update_proposal(office, new.id, draft)
    assert updated.version == 2


def test_every_use_case_writes_an_audit_entry(office):
    before = count(office, AuditEntry)
    summary = add(office)
    proposals.get_proposal(office, summary.id)
    with office.reading() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-2:] == ["proposal.create", "proposal.view"]
    assert count(office, AuditEntry) == before + 2


def test_desil_that_does_not_fit_blocks_muskel_for_usulan_baru(office):
    from app.domain.proposal import DesilDoesNotFit

    summary = add(office, factories.proposal_dict(desil=7))
    with pytest.raises(DesilDoesNotFit):
        proposals.apply_action(office, summary.id, workflow.Action.SEND_TO_MUSKEL)
    assert proposals.get_proposal(office, summary.id).proposal.state is workflow.State.DRAFT


def test_an_illegal_step_is_refused_and_changes_nothing(office):
    summary = add(office)
    with pytest.raises(workflow.IllegalTransition) as info:
        outbox.queue_proposal(office, summary.id)
    assert "“Konsep”" in info.value.message()
    detail = proposals.get_proposal(office, summary.id)
    assert detail.proposal.state is workflow.State.DRAFT and len(detail.transitions) == 1


def test_list_pages_filters_and_counts(office):
    for index in range(5):
        nik = f"35750301017{index}0001"
        data = factories.household_with([nik], kk=f"357503120315{index:04d}")
        data["household"]["rt"] = "1" if index < 3 else "2"
        add(office, data)
    page = proposals.list_proposals(office, proposals.ProposalFilter(rt="1"), limit=2)
    assert page.total == 3 and len(page.rows) == 2
    rest = proposals.list_proposals(office, proposals.ProposalFilter(rt="1"), limit=2, offset=2)
    assert len(rest.rows) == 1 and rest.rows[0].id not in {r.id for r in page.rows}
    assert proposals.count_by_state(office) == {("baru", "draft"): 5}
